//! Versioned migrations. Each entry runs once, in its own transaction, and the file records
//! how far it has come in `PRAGMA user_version`; a file from a newer OrderDesk is refused.
//!
//! Conventions: timestamps are INTEGER UTC Unix seconds; calendar dates are TEXT
//! `YYYY-MM-DD`; money and quantities are TEXT decimals (exact); optional values are NULL.

pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7];

const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL UNIQUE,
    contact_person     TEXT,
    phone              TEXT,
    email              TEXT,
    im_handle          TEXT,
    preferred_channel  TEXT NOT NULL DEFAULT 'email'
                       CHECK (preferred_channel IN ('email','phone','im')),
    address            TEXT,
    payment_terms_days INTEGER CHECK (payment_terms_days IS NULL OR payment_terms_days >= 0),
    language           TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('zh','en')),
    notes              TEXT,
    key_account        INTEGER NOT NULL DEFAULT 0,
    version            INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE orders (
    id                INTEGER PRIMARY KEY,
    order_no          TEXT NOT NULL UNIQUE,
    customer_id       INTEGER REFERENCES customers(id),
    order_type        TEXT NOT NULL DEFAULT 'regular'
                      CHECK (order_type IN ('regular','rush','custom')),
    status            TEXT NOT NULL DEFAULT 'inquiry'
                      CHECK (status IN ('inquiry','quoted','confirmed','in_production','ready',
                                        'shipped','delivered','closed','on_hold','cancelled','lost')),
    held_from         TEXT,
    ordered_at        INTEGER NOT NULL,
    due_date          TEXT,
    first_due_date    TEXT,
    delivery_address  TEXT,
    currency          TEXT NOT NULL DEFAULT 'CNY',
    payment_due       TEXT,
    paid_at           TEXT,
    total             TEXT NOT NULL DEFAULT '0',
    missing           TEXT NOT NULL DEFAULT '',
    missing_reason    TEXT,
    notes             TEXT,
    delivered_at      INTEGER,
    status_changed_at INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX orders_by_ordered       ON orders(ordered_at, id);
CREATE INDEX orders_by_due           ON orders(ifnull(due_date, '9999-12-31'), id);
CREATE INDEX orders_by_status        ON orders(status, ordered_at, id);
CREATE INDEX orders_by_status_due    ON orders(status, ifnull(due_date, '9999-12-31'), id);
CREATE INDEX orders_by_type          ON orders(order_type, ordered_at, id);
CREATE INDEX orders_by_customer      ON orders(customer_id, ordered_at);
CREATE INDEX orders_incomplete       ON orders(status, ordered_at, id) WHERE missing <> '';
CREATE INDEX orders_by_delivered     ON orders(delivered_at) WHERE delivered_at IS NOT NULL;
CREATE INDEX orders_payment_open     ON orders(payment_due, status) WHERE paid_at IS NULL AND payment_due IS NOT NULL;
CREATE INDEX orders_by_status_change ON orders(status, status_changed_at);

CREATE TABLE order_lines (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    line_no      INTEGER NOT NULL,
    product_code TEXT,
    spec         TEXT,
    quantity     TEXT NOT NULL,
    unit         TEXT,
    unit_price   TEXT,
    UNIQUE (order_id, line_no)
);
CREATE INDEX order_lines_by_product ON order_lines(product_code);

CREATE TABLE status_history (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    happened_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    note        TEXT
);
CREATE INDEX status_history_by_order ON status_history(order_id, happened_at);

CREATE TABLE due_date_revisions (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    old_due    TEXT,
    new_due    TEXT,
    changed_at INTEGER NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX due_date_revisions_by_order ON due_date_revisions(order_id, changed_at);

CREATE TABLE production (
    order_id         INTEGER PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE,
    stage            TEXT NOT NULL DEFAULT 'materials'
                     CHECK (stage IN ('materials','scheduled','producing','qc','done')),
    materials        TEXT NOT NULL DEFAULT 'pending'
                     CHECK (materials IN ('pending','ordered','received')),
    scheduled_start  TEXT,
    planned_finish   TEXT,
    percent_complete INTEGER NOT NULL DEFAULT 0 CHECK (percent_complete BETWEEN 0 AND 100),
    updated_at       INTEGER NOT NULL
);
CREATE INDEX production_by_stage  ON production(stage, planned_finish);
CREATE INDEX production_by_finish ON production(planned_finish) WHERE stage <> 'done';

CREATE TABLE exceptions (
    id                   INTEGER PRIMARY KEY,
    order_id             INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    kind                 TEXT NOT NULL
                         CHECK (kind IN ('stockout','delay','quality','spec_mismatch','other')),
    cause                TEXT NOT NULL DEFAULT 'other'
                         CHECK (cause IN ('supplier_delay','production_breakdown','logistics',
                                          'customer_change','quality','other')),
    opened_at            INTEGER NOT NULL,
    customer_informed_at INTEGER,
    resolved_at          INTEGER,
    note                 TEXT
);
CREATE INDEX exceptions_by_order ON exceptions(order_id, opened_at);
CREATE INDEX exceptions_open     ON exceptions(order_id) WHERE resolved_at IS NULL;

CREATE TABLE shipments (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    carrier      TEXT,
    waybill_no   TEXT UNIQUE,
    mode         TEXT NOT NULL DEFAULT 'sea'
                 CHECK (mode IN ('air','sea','road','rail','express')),
    shipped_at   INTEGER,
    eta          INTEGER,
    delivered_at INTEGER,
    status       TEXT NOT NULL DEFAULT 'booked'
                 CHECK (status IN ('booked','in_transit','customs','delayed','delivered','exception')),
    weight_kg    TEXT,
    packages     INTEGER CHECK (packages IS NULL OR packages >= 0),
    notes        TEXT,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX shipments_by_order    ON shipments(order_id);
CREATE INDEX shipments_by_shipped  ON shipments(ifnull(shipped_at, 0), id);
CREATE INDEX shipments_by_eta      ON shipments(ifnull(eta, 0), id);
CREATE INDEX shipments_undelivered ON shipments(eta) WHERE delivered_at IS NULL;
CREATE INDEX shipments_by_status   ON shipments(status, ifnull(shipped_at, 0), id);

CREATE TABLE complaints (
    id                INTEGER PRIMARY KEY,
    complaint_no      TEXT NOT NULL UNIQUE,
    customer_id       INTEGER NOT NULL REFERENCES customers(id),
    order_id          INTEGER REFERENCES orders(id) ON DELETE SET NULL,
    type              TEXT NOT NULL
                      CHECK (type IN ('spec_mismatch','quality','delivery_delay','after_sales',
                                      'payment','other')),
    severity          TEXT NOT NULL DEFAULT 'normal'
                      CHECK (severity IN ('urgent','high','normal','low')),
    opened_at         INTEGER NOT NULL,
    first_response_at INTEGER,
    resolved_at       INTEGER,
    description       TEXT,
    resolution        TEXT,
    department        TEXT
                      CHECK (department IS NULL OR department IN
                             ('tech','after_sales','production','logistics','finance')),
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX complaints_by_opened   ON complaints(opened_at, id);
CREATE INDEX complaints_by_customer ON complaints(customer_id, opened_at);
CREATE INDEX complaints_by_order    ON complaints(order_id);
CREATE INDEX complaints_awaiting    ON complaints(opened_at) WHERE first_response_at IS NULL;
CREATE INDEX complaints_open        ON complaints(opened_at) WHERE resolved_at IS NULL;

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    order_id    INTEGER REFERENCES orders(id) ON DELETE SET NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('email','phone','im','visit')),
    direction   TEXT NOT NULL CHECK (direction IN ('in','out')),
    at          INTEGER NOT NULL,
    replied_at  INTEGER,
    summary     TEXT,
    template    TEXT
);
CREATE INDEX contacts_by_at         ON contacts(at, id);
CREATE INDEX contacts_by_customer   ON contacts(customer_id, at);
CREATE INDEX contacts_by_order      ON contacts(order_id);
CREATE INDEX contacts_unanswered    ON contacts(at) WHERE direction = 'in' AND replied_at IS NULL;

CREATE TABLE surveys (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id),
    date          TEXT NOT NULL,
    accuracy      INTEGER CHECK (accuracy BETWEEN 1 AND 5),
    response      INTEGER CHECK (response BETWEEN 1 AND 5),
    resolution    INTEGER CHECK (resolution BETWEEN 1 AND 5),
    attitude      INTEGER CHECK (attitude BETWEEN 1 AND 5),
    customisation INTEGER CHECK (customisation BETWEEN 1 AND 5),
    quality       INTEGER CHECK (quality BETWEEN 1 AND 5),
    willingness   INTEGER CHECK (willingness BETWEEN 0 AND 10)
);
CREATE INDEX surveys_by_date     ON surveys(date);
CREATE INDEX surveys_by_customer ON surveys(customer_id, date);

CREATE TABLE requirements (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    category     TEXT NOT NULL CHECK (category IN ('product','packaging','logistics','service')),
    text         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','forwarded','met','declined')),
    forwarded_to TEXT CHECK (forwarded_to IS NULL OR forwarded_to IN
                             ('sales','rnd','production','logistics')),
    resolved_at  INTEGER
);
CREATE INDEX requirements_by_customer ON requirements(customer_id, created_at);
CREATE INDEX requirements_by_resolved ON requirements(resolved_at) WHERE resolved_at IS NOT NULL;

CREATE TABLE followups (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id),
    order_id    INTEGER REFERENCES orders(id) ON DELETE CASCADE,
    due_at      INTEGER NOT NULL,
    text        TEXT NOT NULL,
    done_at     INTEGER,
    created_at  INTEGER NOT NULL,
    CHECK (customer_id IS NOT NULL OR order_id IS NOT NULL)
);
CREATE INDEX followups_open ON followups(due_at) WHERE done_at IS NULL;

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    order_id      INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('po','invoice','packing_list','photo','other')),
    original_name TEXT NOT NULL,
    stored_path   TEXT NOT NULL,
    added_at      INTEGER NOT NULL
);
CREATE INDEX documents_by_order ON documents(order_id);

-- Append-only: the app never updates or deletes a row here; `check` verifies the chain.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Each user action that changed data, with the before-images that undo restores.
CREATE TABLE undo_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    label     TEXT NOT NULL,
    images    TEXT NOT NULL,
    undone_at INTEGER
);
CREATE INDEX undo_log_pending ON undo_log(id) WHERE undone_at IS NULL;

-- Search index over order number, customer, products, specs and notes. Trigrams match
-- substrings in any script, Chinese included.
CREATE VIRTUAL TABLE order_search USING fts5(
    body, tokenize = 'trigram', content = '', contentless_delete = 1
);
"#;

/// Shipments by carrier (the carrier filter in both sorts, its pick list, carrier search),
/// shipments on their way (the late filter walks only those), and the Orders list without
/// the archived (closed) orders, walked in each of its sort orders.
const V2: &str = r#"
CREATE INDEX shipments_by_carrier ON shipments(carrier COLLATE NOCASE, ifnull(shipped_at, 0), id);
CREATE INDEX shipments_by_carrier_eta ON shipments(carrier COLLATE NOCASE, ifnull(eta, 0), id);
CREATE INDEX shipments_open_by_shipped ON shipments(ifnull(shipped_at, 0), id) WHERE delivered_at IS NULL;
CREATE INDEX shipments_open_by_eta ON shipments(ifnull(eta, 0), id) WHERE delivered_at IS NULL;
CREATE INDEX orders_open_by_ordered ON orders(ordered_at, id) WHERE status <> 'closed';
CREATE INDEX orders_open_by_due ON orders(ifnull(due_date, '9999-12-31'), id) WHERE status <> 'closed';
CREATE INDEX orders_open_by_number ON orders(order_no) WHERE status <> 'closed';
"#;

/// The after-sales desk. A complaint's response deadline depends on the configured window
/// of its severity, so it is stored (`response_due_at`), kept by triggers from the windows
/// in `response_windows` for every writer (forms, import, demo, undo), and re-stamped when
/// the configuration changes (`store::complaints::use_windows`). `urgency` is the list's
/// order as one integer (`domain::complaint::urgency`, held to this SQL by a test), so the
/// Complaints list is a keyset walk over one index at any size. The triggers read the
/// row's own columns, not NEW, so their final result does not depend on the order they
/// fire in. Existing complaints are stamped here with the SPEC §2 defaults.
const V3: &str = r#"
CREATE TABLE response_windows (
    severity TEXT PRIMARY KEY CHECK (severity IN ('urgent','high','normal','low')),
    seconds  INTEGER NOT NULL CHECK (seconds > 0)
);
INSERT INTO response_windows (severity, seconds)
VALUES ('urgent', 14400), ('high', 28800), ('normal', 86400), ('low', 86400);

ALTER TABLE complaints ADD COLUMN response_due_at INTEGER;
ALTER TABLE complaints ADD COLUMN urgency INTEGER;

CREATE TRIGGER complaints_due_after_insert AFTER INSERT ON complaints
BEGIN
    UPDATE complaints SET response_due_at = opened_at + ifnull(
        (SELECT w.seconds FROM response_windows w WHERE w.severity = complaints.severity), 86400)
    WHERE id = NEW.id;
END;
CREATE TRIGGER complaints_due_after_update AFTER UPDATE OF opened_at, severity ON complaints
BEGIN
    UPDATE complaints SET response_due_at = opened_at + ifnull(
        (SELECT w.seconds FROM response_windows w WHERE w.severity = complaints.severity), 86400)
    WHERE id = NEW.id;
END;
CREATE TRIGGER complaints_urgency_after_update
AFTER UPDATE OF response_due_at, first_response_at, resolved_at, severity, opened_at ON complaints
BEGIN
    UPDATE complaints SET urgency = CASE
        WHEN resolved_at IS NOT NULL THEN 300000000000 - resolved_at
        WHEN first_response_at IS NOT NULL THEN 100000000000
             + (CASE severity WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)
               * 10000000000
             + opened_at
        ELSE ifnull(response_due_at, opened_at) * 4
             + (CASE severity WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)
        END
    WHERE id = NEW.id;
END;

UPDATE complaints SET response_due_at = opened_at + ifnull(
    (SELECT w.seconds FROM response_windows w WHERE w.severity = complaints.severity), 86400);

CREATE INDEX complaints_by_urgency    ON complaints(urgency, id);
CREATE INDEX complaints_response_due  ON complaints(response_due_at)
    WHERE first_response_at IS NULL AND resolved_at IS NULL;
CREATE INDEX complaints_open_by_customer ON complaints(customer_id) WHERE resolved_at IS NULL;
CREATE INDEX contacts_unanswered_by_customer ON contacts(customer_id, at)
    WHERE direction = 'in' AND replied_at IS NULL;
CREATE INDEX requirements_unsettled ON requirements(customer_id, created_at)
    WHERE resolved_at IS NULL;"#;

/// The monthly report reads a month of orders and of deliveries from indexes alone: the
/// orders' status, type, currency and total ride along with `ordered_at`, the due dates with
/// `delivered_at` (so the 12-month on-time trend never reads an order row either). The
/// delivery index replaces the narrower `orders_by_delivered`, whose every use it serves.
const V4: &str = r#"
CREATE INDEX orders_month ON orders(ordered_at, status, order_type, currency, total);
CREATE INDEX orders_delivered_due ON orders(delivered_at, due_date, first_due_date)
    WHERE delivered_at IS NOT NULL;
DROP INDEX orders_by_delivered;
"#;

/// The rest of the clerk's report. Customers get a type; the ones flagged as key accounts
/// become `key_account`, every other existing customer `regular` (the default: a customer
/// already on file is not new). Complaints keep the plan of their first response and
/// contacts the text of their reply. Spot-checks of follow-up records, one per contact and
/// ISO week. The indexes serve the month's status changes (the one-hour rule and the sales
/// cycle) and conversion by customer type from indexes alone.
const V5: &str = r#"
ALTER TABLE customers ADD COLUMN type TEXT NOT NULL DEFAULT 'regular'
    CHECK (type IN ('new','regular','key_account','distributor'));
UPDATE customers SET type = 'key_account' WHERE key_account <> 0;
ALTER TABLE complaints ADD COLUMN response_plan TEXT;
ALTER TABLE contacts ADD COLUMN reply TEXT;

-- The key-account flag and the type say the same thing, whichever a writer sets.
CREATE TRIGGER customers_type_sets_flag AFTER UPDATE OF type ON customers
WHEN (NEW.type = 'key_account') <> (NEW.key_account <> 0)
BEGIN UPDATE customers SET key_account = (type = 'key_account') WHERE id = NEW.id; END;
CREATE TRIGGER customers_flag_sets_type AFTER UPDATE OF key_account ON customers
WHEN (NEW.type = 'key_account') <> (NEW.key_account <> 0)
BEGIN
    UPDATE customers SET type = CASE WHEN key_account <> 0 THEN 'key_account' ELSE 'regular' END
    WHERE id = NEW.id;
END;
CREATE TRIGGER customers_type_after_insert AFTER INSERT ON customers
WHEN (NEW.type = 'key_account') <> (NEW.key_account <> 0)
BEGIN
    UPDATE customers SET type = CASE WHEN key_account <> 0 THEN 'key_account' ELSE type END,
                         key_account = (key_account <> 0 OR type = 'key_account')
    WHERE id = NEW.id;
END;

CREATE TABLE spot_checks (
    id         INTEGER PRIMARY KEY,
    week       TEXT NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    checked_at INTEGER NOT NULL,
    accurate   INTEGER NOT NULL CHECK (accurate IN (0, 1)),
    note       TEXT,
    UNIQUE (week, contact_id)
);
CREATE INDEX spot_checks_by_checked ON spot_checks(checked_at, accurate);

CREATE INDEX status_history_by_happened
    ON status_history(happened_at, recorded_at, from_status, to_status, order_id);
CREATE INDEX orders_month_by_customer ON orders(ordered_at, status, customer_id);
"#;

/// Accounts of the web desk (`orderdesk user`): argon2id hashes only, never a password.
const V6: &str = r#"
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('viewer','manager')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    changed_at    INTEGER NOT NULL
);
"#;

/// The month report's sales cycle from indexes alone. The confirmations (a status change
/// into a won status from one that is not) by the day they happened and by order, with the
/// statuses in the index so no history row is read, and each order's creation beside its id.
/// Without them the cycle read the history rows of every order confirmed in the month and
/// the order row of each: about 0.4 s of a month's 0.57 s at 1,000,000 orders. The won list
/// is `Status::is_won`'s, in its order: `store::report` writes the same words, which is what
/// lets SQLite use a partial index (a test holds the plan).
const V7: &str = r#"
CREATE INDEX status_history_confirmations
    ON status_history(happened_at, order_id, to_status, from_status)
    WHERE to_status IN ('confirmed','in_production','ready','shipped','delivered','closed')
      AND from_status NOT IN ('confirmed','in_production','ready','shipped','delivered','closed');
CREATE INDEX status_history_confirmations_by_order
    ON status_history(order_id, happened_at, to_status, from_status)
    WHERE to_status IN ('confirmed','in_production','ready','shipped','delivered','closed')
      AND from_status NOT IN ('confirmed','in_production','ready','shipped','delivered','closed');
CREATE INDEX orders_created ON orders(id, ordered_at);
"#;
