//! Price books: seeded defaults, validation with positions, user overrides, broken files.

use mailplan::costs::books::{
    BUILTIN_BOOKS, Catalogue, Confidence, ListPrice, builtin_catalogue, load_dir_into, parse_book,
};
use mailplan::costs::{Money, PriceUnit};

#[test]
fn seeded_prices_match_the_research() {
    let (c, errors) = builtin_catalogue();
    assert!(errors.is_empty(), "{errors:?}");
    let price = |id: &str| {
        c.get(id)
            .unwrap_or_else(|| panic!("missing {id}"))
            .item
            .price
    };
    let p = |s: &str| ListPrice::Price(Money::parse(s).unwrap());
    assert_eq!(price("google.workspace.business_starter"), p("7.00"));
    assert_eq!(price("google.workspace.business_plus"), p("22.00"));
    assert_eq!(price("microsoft.m365.business_premium"), p("22.00"));
    assert_eq!(price("microsoft.exchange_online.plan1"), p("4.00"));
    assert_eq!(price("microsoft.exchange_online.plan2"), p("8.00"));
    assert_eq!(price("microsoft.exchange_online_archiving"), p("3.00"));
    assert_eq!(price("zoho.mail.premium"), p("4.00"));
    assert_eq!(price("chrome_remote_desktop"), p("0.00"));
    // Quote-only: never a made-up figure.
    for id in [
        "hcl.domino.ccb",
        "microsoft.exchange_server.se",
        "gateway.proofpoint",
        "google.workspace.enterprise_standard",
        "fastmail.business",
    ] {
        assert_eq!(price(id), ListPrice::Quote, "{id}");
    }
    // Last-known prices are marked low confidence.
    for id in [
        "teamviewer.remote_access",
        "bittitan.migrationwiz.mailbox",
        "microsoft.exchange_online.kiosk",
    ] {
        assert_eq!(c.get(id).unwrap().item.confidence, Confidence::Low, "{id}");
    }
    // Business plans stop at 300 users.
    for id in [
        "google.workspace.business_starter",
        "google.workspace.business_plus",
        "microsoft.m365.business_basic",
        "microsoft.m365.business_premium",
    ] {
        assert_eq!(c.get(id).unwrap().item.seat_max, Some(300), "{id}");
    }
    assert_eq!(
        c.get("microsoft.exchange_online.plan2")
            .unwrap()
            .item
            .seat_max,
        None
    );
    // The 2008 book.
    let premier = c.get("google.apps.premier").unwrap();
    assert!(premier.historical);
    assert_eq!(premier.item.price, p("50.00"));
    assert_eq!(premier.item.unit, PriceUnit::PerUserPerYear);
    assert_eq!(premier.item.mailbox_gb, Some(25));
    // Every item names a source.
    for e in c.items.values() {
        assert!(!e.item.source.trim().is_empty(), "{}", e.item.id);
    }
    assert_eq!(BUILTIN_BOOKS.len(), 2);
}

const GOOD: &str = r#"PriceBook(id: "mine", name: "My prices", currency: "USD", items: [
    PriceItem(id: "google.workspace.business_plus", product: "Google Workspace", tier: "Business Plus (negotiated)",
        price: Price("19.50"), unit: PerUserPerMonth, seat_max: Some(300),
        source: "our reseller quote", as_of: "2026-11-01", confidence: High),
])"#;

#[test]
fn user_books_override_by_id_and_broken_files_do_not_stop_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-good.ron"), GOOD).unwrap();
    // Unknown field on line 3.
    std::fs::write(
        dir.path().join("b-broken.ron"),
        "PriceBook(id: \"x\", name: \"X\", currency: \"USD\", items: [\n  PriceItem(id: \"x.y\", product: \"P\",\n    colour: \"red\",\n  ),\n])",
    )
    .unwrap();
    // Bad syntax.
    std::fs::write(dir.path().join("c-syntax.ron"), "PriceBook(id: \"z\",,,").unwrap();
    std::fs::write(dir.path().join("ignored.txt"), "not a book").unwrap();

    let (mut c, _) = builtin_catalogue();
    let errors = load_dir_into(&mut c, dir.path());
    assert_eq!(errors.len(), 2, "{errors:?}");
    let broken = errors
        .iter()
        .find(|e| e.file.ends_with("b-broken.ron"))
        .unwrap();
    assert_eq!(broken.line, Some(3), "{broken}");
    assert!(broken.column.is_some());
    assert!(broken.to_string().contains("b-broken.ron:3:"), "{broken}");
    assert!(broken.message.contains("colour"), "{broken}");
    assert!(
        errors
            .iter()
            .any(|e| e.file.ends_with("c-syntax.ron") && e.line.is_some())
    );

    // The good file still loaded and replaced the built-in item.
    let e = c.get("google.workspace.business_plus").unwrap();
    assert_eq!(
        e.item.price,
        ListPrice::Price(Money::parse("19.50").unwrap())
    );
    assert!(e.origin.ends_with("a-good.ron"));
    assert_eq!(e.replaces, vec!["built-in:current.ron".to_owned()]);
    // Other built-ins untouched.
    assert!(c.get("microsoft.exchange_online.plan2").is_some());
}

#[test]
fn semantic_errors_point_at_the_item() {
    let text = r#"PriceBook(id: "t", name: "T", currency: "USD", items: [
    PriceItem(id: "a.b", product: "P", price: Price("1.00"), unit: PerUserPerMonth,
        source: "s", as_of: "2026-01-01", confidence: High),
    PriceItem(id: "c.d", product: "P", price: Price("1.00"), unit: PerUserPerMonth,
        seat_min: Some(10), seat_max: Some(5),
        source: "", as_of: "2026-01-01", confidence: High),
    PriceItem(id: "a.b", product: "P", price: Price("-1.00"), unit: PerUserPerMonth,
        source: "s", as_of: "2026-01-01", confidence: High),
])"#;
    let errs = parse_book("t.ron", text).unwrap_err();
    let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("t.ron:4:") && m.contains("seat_min 10 above seat_max 5")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("t.ron:4:") && m.contains("no source")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("appears twice")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("negative price")),
        "{msgs:#?}"
    );
}

#[test]
fn bad_dates_and_amounts_are_reported_with_positions() {
    let text = "PriceBook(id: \"t\", name: \"T\", currency: \"USD\", items: [\n  PriceItem(id: \"a.b\", product: \"P\", price: Price(\"1.234\"), unit: FlatPerYear,\n    source: \"s\", as_of: \"2026-01-01\", confidence: High),\n])";
    let errs = parse_book("t.ron", text).unwrap_err();
    assert_eq!(errs[0].line, Some(2), "{}", errs[0]);
    assert!(errs[0].message.contains("two decimals"), "{}", errs[0]);
    let text = "PriceBook(id: \"t\", name: \"T\", currency: \"USD\", items: [\n  PriceItem(id: \"a.b\", product: \"P\", price: Quote, unit: FlatPerYear,\n    source: \"s\", as_of: \"last year\", confidence: High),\n])";
    let errs = parse_book("t.ron", text).unwrap_err();
    assert_eq!(errs[0].line, Some(3), "{}", errs[0]);
}

#[test]
fn duplicate_ids_across_files_in_one_folder_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.ron"), GOOD).unwrap();
    std::fs::write(dir.path().join("two.ron"), GOOD.replace("19.50", "1.00")).unwrap();
    let mut c = Catalogue::default();
    let errors = load_dir_into(&mut c, dir.path());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].file.ends_with("two.ron"));
    assert!(errors[0].message.contains("already defined"));
    // The first one wins.
    assert_eq!(
        c.get("google.workspace.business_plus").unwrap().item.price,
        ListPrice::Price(Money::parse("19.50").unwrap())
    );
}
