//! After-sales records for tests of the desk, around a fixed "now": complaints in every
//! state (two overdue), contacts (one unanswered for over a day), requirements on their
//! way, and two surveys whose latest suggests a key account.

use super::{fixture, App};
use crate::domain::time::test_clock;

/// 2026-02-01 12:00 UTC.
pub const NOW: i64 = fixture::BASE + 31 * 86_400 + 12 * 3_600;
const H: i64 = 3_600;

/// The fixture's six orders and three customers, with the after-sales records, on a clock
/// fixed at `NOW` (until the guard is dropped).
pub fn app() -> (App, test_clock::Guard) {
    let clock = test_clock::fix(NOW);
    let mut app = fixture::app(6);
    let c = app.store.conn();
    let sql = format!(
        "UPDATE customers SET contact_person = '王芳', phone = '+86 138 1234 5678',
                email = 'wang.fang@hualian.cn', im_handle = 'wx_wangfang', preferred_channel = 'im',
                language = 'zh', payment_terms_days = 30, address = '深圳市南山区科技园 8 号',
                notes = '上午联系效率最高'
         WHERE code = 'C001';
         INSERT INTO complaints (complaint_no, customer_id, order_id, type, severity, opened_at,
                                 first_response_at, resolved_at, department, description, resolution)
         VALUES
           ('CP-202602-0001', 1, 1, 'quality', 'urgent', {k1}, NULL, NULL, NULL, '外壳划痕', NULL),
           ('CP-202601-0007', 2, NULL, 'delivery_delay', 'normal', {k2}, NULL, NULL, 'logistics',
            'Two weeks late', NULL),
           ('CP-202602-0002', 3, 3, 'spec_mismatch', 'high', {k3}, NULL, NULL, 'tech',
            'M6 instead of M8', NULL),
           ('CP-202601-0006', 1, NULL, 'payment', 'low', {k4}, {k4r}, NULL, 'finance',
            '发票金额不符', NULL),
           ('CP-202601-0003', 2, 2, 'after_sales', 'normal', {k5}, {k5r}, {k5c}, 'after_sales',
            'Manual missing', 'Manual sent by e-mail');
         INSERT INTO contacts (customer_id, order_id, channel, direction, at, replied_at, summary)
         VALUES
           (1, NULL, 'email', 'in', {c1}, {c1r}, '询问新产品目录'),
           (1, 1, 'phone', 'in', {c2}, NULL, '催问 SO-20260101-001 的交期'),
           (1, 1, 'email', 'out', {c3}, NULL, '发送 SO-20260101-001 的发货通知'),
           (1, NULL, 'im', 'in', {c4}, NULL, '确认包装要求');
         INSERT INTO requirements (customer_id, category, text, created_at, status, forwarded_to,
                                   resolved_at)
         VALUES
           (1, 'packaging', '出口木箱包装', {r1}, 'open', NULL, NULL),
           (1, 'product', '每批附 RoHS 证书', {r2}, 'forwarded', 'rnd', NULL),
           (1, 'service', '每周发送生产进度', {r3}, 'met', 'production', {r3m});
         INSERT INTO surveys (customer_id, date, accuracy, response, resolution, attitude,
                              customisation, quality, willingness)
         VALUES
           (1, '2025-10-01', 4, 4, 3, 4, NULL, 4, 7),
           (1, '2026-01-15', 5, 5, 4, 5, 5, 5, 10);",
        k1 = NOW - 6 * H,
        k2 = NOW - 30 * H,
        k3 = NOW - 3 * H,
        k4 = NOW - 50 * H,
        k4r = NOW - 40 * H,
        k5 = NOW - 240 * H,
        k5r = NOW - 236 * H,
        k5c = NOW - 120 * H,
        c1 = NOW - 120 * H,
        c1r = NOW - 118 * H,
        c2 = NOW - 30 * H,
        c3 = NOW - 20 * H,
        c4 = NOW - 2 * H,
        r1 = NOW - 72 * H,
        r2 = NOW - 200 * H,
        r3 = NOW - 400 * H,
        r3m = NOW - 300 * H,
    );
    c.execute_batch(&sql).expect("after-sales fixture");
    app.prepare(20);
    (app, clock)
}
