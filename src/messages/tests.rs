use super::*;

fn facts(language: Language, status: Status) -> Facts {
    Facts {
        customer: CustomerFacts {
            id: 1,
            name: "上海华东机械有限公司".into(),
            code: "ZH01".into(),
            contact: "王经理".into(),
            language,
            channel: "im".into(),
            email: None,
        },
        order: Some(OrderFacts {
            id: 7,
            order_no: "SO-20260301-001".into(),
            status,
            ordered_on: "2026-03-01".into(),
            due_date: Some("2026-04-10".into()),
            first_due_date: Some("2026-04-01".into()),
            currency: "CNY".into(),
            total: "12,500.00".into(),
            payment_due: Some("2026-05-01".into()),
            paid: false,
            delivered_on: None,
            stage: Some("producing".into()),
            percent_complete: Some(60),
            planned_finish: Some("2026-04-05".into()),
            lines: vec![LineFacts {
                product_code: "M6×20".into(),
                spec: "304 stainless".into(),
                quantity: "5000".into(),
                unit: "pcs".into(),
                unit_price: "2.50".into(),
            }],
        }),
        shipment: None,
        delay: None,
        complaint: None,
    }
}

fn with_shipment(mut f: Facts) -> Facts {
    f.shipment = Some(ShipmentFacts {
        id: 3,
        carrier: "SF Express".into(),
        waybill_no: "SF1234567890".into(),
        mode: "express".into(),
        shipped_on: Some("2026-04-08".into()),
        eta: Some("2026-04-10".into()),
    });
    f
}

fn complaint(resolution: Option<&str>, resolved: bool) -> ComplaintFacts {
    ComplaintFacts {
        id: 9,
        complaint_no: "CP-0042".into(),
        order_no: Some("SO-20260301-001".into()),
        kind: "quality".into(),
        department: "tech".into(),
        response_hours: 4,
        description: "burrs on the thread".into(),
        response_plan: resolved.then(|| "Tech checks the batch and replies by Friday.".into()),
        resolution: resolution.map(str::to_string),
        resolved,
    }
}

#[test]
fn the_fitting_message_follows_the_stage() {
    use MessageKind::*;
    let f = facts(Language::En, Status::Confirmed);
    assert_eq!(f.fitting(), Some(OrderConfirmation));
    let f = facts(Language::En, Status::InProduction);
    assert_eq!(f.fitting(), Some(ProductionUpdate));
    // Shipped without a recorded shipment: nothing to put in a shipping notice.
    let f = facts(Language::En, Status::Shipped);
    assert_eq!(f.fitting(), Some(OrderConfirmation));
    let f = with_shipment(facts(Language::En, Status::Shipped));
    assert_eq!(f.fitting(), Some(ShippingNotice));
    let mut f = facts(Language::En, Status::Delivered);
    f.order.as_mut().unwrap().delivered_on = Some("2026-04-09".into());
    assert_eq!(f.fitting(), Some(PaymentReminder));
    f.order.as_mut().unwrap().paid = true;
    assert_eq!(f.fitting(), Some(DeliveryNotice));
}

#[test]
fn a_pending_delay_comes_before_the_stage_but_not_after_delivery() {
    let mut f = facts(Language::En, Status::InProduction);
    f.delay = Some(DelayFacts {
        old_date: "2026-04-01".into(),
        new_date: "2026-04-10".into(),
        cause: "supplier_delay".into(),
        note: None,
    });
    assert_eq!(f.fitting(), Some(MessageKind::DelayNotice));
    // Shipped with the delay still on file: the shipping notice, not the delay.
    let mut shipped = with_shipment(f.clone());
    shipped.order.as_mut().unwrap().status = Status::Shipped;
    assert_eq!(shipped.fitting(), Some(MessageKind::ShippingNotice));
    f.order.as_mut().unwrap().status = Status::Delivered;
    f.order.as_mut().unwrap().delivered_on = Some("2026-04-09".into());
    assert_ne!(f.fitting(), Some(MessageKind::DelayNotice));
}

#[test]
fn complaints_get_an_acknowledgement_until_resolved_with_a_resolution() {
    let mut f = facts(Language::En, Status::Delivered);
    f.complaint = Some(complaint(None, false));
    assert_eq!(f.fitting(), Some(MessageKind::ComplaintAcknowledgement));
    assert!(!f.available().contains(&MessageKind::ComplaintResolution));
    f.complaint = Some(complaint(Some("We replace the 5000 pcs."), true));
    assert_eq!(f.fitting(), Some(MessageKind::ComplaintResolution));
}

#[test]
fn the_acknowledgement_promises_the_window_of_the_severity() {
    let templates = Templates::new(None);
    for (language, words) in [(Language::En, "within 4 hours"), (Language::Zh, "4 小时内")] {
        let mut f = facts(language, Status::Delivered);
        f.complaint = Some(complaint(None, false));
        let d = templates
            .draft(MessageKind::ComplaintAcknowledgement, &f, "Li Hua")
            .expect("draft");
        assert!(d.body.contains(words), "{language:?}: {}", d.body);
        assert!(!d.body.contains("24"), "{language:?}: {}", d.body);
    }
}

#[test]
fn a_confirmation_without_a_price_or_due_date_cannot_be_drafted() {
    let templates = Templates::new(None);
    let mut f = facts(Language::En, Status::Confirmed);
    f.order.as_mut().unwrap().lines[0].unit_price = String::new();
    let e = templates
        .draft(MessageKind::OrderConfirmation, &f, "Li Hua")
        .unwrap_err();
    let product = f.order.as_ref().unwrap().lines[0].product_code.clone();
    assert!(
        e.to_string()
            .contains(&format!("order line 1 ({product}) has no unit price")),
        "{e}"
    );
    let mut f = facts(Language::En, Status::Confirmed);
    f.order.as_mut().unwrap().due_date = None;
    let e = templates
        .draft(MessageKind::OrderConfirmation, &f, "Li Hua")
        .unwrap_err();
    assert!(e.to_string().contains("no delivery date"), "{e}");
    // Other messages do not promise prices.
    let mut f = with_shipment(facts(Language::En, Status::Shipped));
    f.order.as_mut().unwrap().lines[0].unit_price = String::new();
    assert!(templates
        .draft(MessageKind::ShippingNotice, &f, "Li Hua")
        .is_ok());
}

#[test]
fn a_customer_without_orders_has_nothing_to_write_about() {
    let mut f = facts(Language::En, Status::Inquiry);
    f.order = None;
    assert_eq!(f.fitting(), None);
    assert!(f.available().is_empty());
}

#[test]
fn every_template_renders_in_both_languages_with_full_facts() {
    let templates = Templates::new(None);
    for language in [Language::En, Language::Zh] {
        let mut f = with_shipment(facts(language, Status::Delivered));
        f.order.as_mut().unwrap().delivered_on = Some("2026-04-09".into());
        f.delay = Some(DelayFacts {
            old_date: "2026-04-01".into(),
            new_date: "2026-04-10".into(),
            cause: "supplier_delay".into(),
            note: Some("resin shortage".into()),
        });
        f.complaint = Some(complaint(Some("We replace the 5000 pcs."), true));
        for kind in MessageKind::iter() {
            let d = templates
                .draft(kind, &f, "Li Hua")
                .unwrap_or_else(|e| panic!("{kind:?} {language:?}: {e}"));
            assert!(
                !d.subject.is_empty(),
                "{kind:?} {language:?} has no subject"
            );
            assert!(d.body.contains("王经理"), "{kind:?} greets the contact");
            assert!(d.body.trim_end().ends_with("Li Hua"), "{kind:?} is signed");
            assert!(!d.text().contains("none"), "{kind:?}: {}", d.text());
        }
    }
}

#[test]
fn words_are_in_the_customers_language() {
    let templates = Templates::new(None);
    let f = with_shipment(facts(Language::Zh, Status::Shipped));
    let d = templates
        .draft(MessageKind::ShippingNotice, &f, "李华")
        .unwrap();
    assert!(d.subject.contains("SO-20260301-001"));
    assert!(d.body.contains("SF1234567890"));
    assert!(d.body.contains("快递"), "{}", d.body);
    let f = facts(Language::En, Status::InProduction);
    let d = templates
        .draft(MessageKind::ProductionUpdate, &f, "Li")
        .unwrap();
    assert!(
        d.body.contains("in production (60% complete)"),
        "{}",
        d.body
    );
    assert!(d.body.contains("2026-04-05"));
}

#[test]
fn a_missing_field_is_named_with_its_line() {
    let templates = Templates::new(None);
    // A shipping notice without a shipment: the template cannot be filled.
    let f = facts(Language::En, Status::Shipped);
    let e = templates
        .draft(MessageKind::ShippingNotice, &f, "Li")
        .unwrap_err();
    assert_eq!(e.template, "en/shipping_notice.txt");
    assert_eq!(e.line, Some(1));
    assert!(
        e.field.as_deref().is_some_and(|f| f.contains("shipment")),
        "{e:?}"
    );
    assert!(e.to_string().contains("line 1"), "{e}");
}

#[test]
fn the_clerks_own_template_wins_and_its_errors_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("en")).unwrap();
    std::fs::write(
        dir.path().join("en/order_confirmation.txt"),
        "Subject: Hi {{ customer.name }}\n\nOrder {{ order.order_no }} ok.\n{{ order.nothing_here }}\n",
    )
    .unwrap();
    let templates = Templates::new(Some(dir.path().to_path_buf()));
    let mut f = facts(Language::En, Status::Confirmed);
    let e = templates
        .draft(MessageKind::OrderConfirmation, &f, "Li")
        .unwrap_err();
    assert_eq!(e.line, Some(4));
    assert_eq!(e.field.as_deref(), Some("order.nothing_here"));
    std::fs::write(
        dir.path().join("en/order_confirmation.txt"),
        "Subject: Hi {{ customer.name }}\n\nOrder {{ order.order_no }} ok.\n",
    )
    .unwrap();
    f.customer.name = "Acme, Inc.".into();
    let d = templates
        .draft(MessageKind::OrderConfirmation, &f, "Li")
        .unwrap();
    assert_eq!(d.subject, "Hi Acme, Inc.");
    assert_eq!(d.body, "Order SO-20260301-001 ok.\n");
    // Chinese has no override: the shipped template is used.
    f.customer.language = Language::Zh;
    let d = templates
        .draft(MessageKind::OrderConfirmation, &f, "Li")
        .unwrap();
    assert!(d.subject.contains("订单"));
}

#[test]
fn a_syntax_error_says_where() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("en")).unwrap();
    std::fs::write(
        dir.path().join("en/payment_reminder.txt"),
        "Subject: x\n\n{% if order.total %}\nunclosed\n",
    )
    .unwrap();
    let templates = Templates::new(Some(dir.path().to_path_buf()));
    let f = facts(Language::En, Status::Delivered);
    let e = templates
        .draft(MessageKind::PaymentReminder, &f, "Li")
        .unwrap_err();
    assert!(
        e.to_string().starts_with("en/payment_reminder.txt line"),
        "{e}"
    );
}

#[test]
fn the_confirmation_reads_well() {
    let f = facts(Language::En, Status::Confirmed);
    let d = Templates::new(None)
        .draft(MessageKind::OrderConfirmation, &f, "Li Hua")
        .unwrap();
    insta::assert_snapshot!(d.text());
    let f = facts(Language::Zh, Status::Confirmed);
    let d = Templates::new(None)
        .draft(MessageKind::OrderConfirmation, &f, "李华")
        .unwrap();
    insta::assert_snapshot!(d.text());
}

#[test]
fn the_resolution_recalls_the_response_plan() {
    let templates = Templates::new(None);
    for (language, words) in [
        (
            Language::En,
            "Our plan, as we told you in our first response:",
        ),
        (Language::Zh, "我们在首次答复中告知您的处理方案："),
    ] {
        let mut f = facts(language, Status::Delivered);
        f.complaint = Some(complaint(Some("We replace the 5000 pcs."), true));
        let d = templates
            .draft(MessageKind::ComplaintResolution, &f, "Li Hua")
            .expect("draft");
        assert!(d.body.contains(words), "{language:?}: {}", d.body);
        let plan = d.body.find("Tech checks the batch").expect("the plan");
        let done = d
            .body
            .find("We replace the 5000 pcs.")
            .expect("the resolution");
        assert!(plan < done, "the plan comes first: {}", d.body);
        // Without a plan (a complaint answered before plans were kept): the resolution alone.
        f.complaint.as_mut().unwrap().response_plan = None;
        let d = templates
            .draft(MessageKind::ComplaintResolution, &f, "Li Hua")
            .expect("draft");
        assert!(!d.body.contains(words), "{language:?}: {}", d.body);
        assert!(
            d.body.contains("\n\nWe replace the 5000 pcs.\n\n"),
            "{}",
            d.body
        );
    }
}
