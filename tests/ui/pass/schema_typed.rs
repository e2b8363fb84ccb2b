//! The typed schema: a module a table at the head, a constant a column, the row struct's
//! field types (with and without `types`), escaped names, a schema other than `public`, and
//! `schema_at`.
#![deny(missing_docs, warnings)]

use retort::schema::Raw;

/// The migrations of the fixture, with the schema after `002` too.
pub mod db {
    retort::migrations!(
        "tests/ui/migrations/schema_typed_people",
        untracked,
        schema_at = ["002"],
        derive = [Clone, Debug, PartialEq],
    );
}

/// The same migrations, their dates, times, `uuid` and `json` read as chrono's, uuid's and
/// serde_json's types.
pub mod with_types {
    retort::migrations!(
        "tests/ui/migrations/schema_typed_people",
        untracked,
        types = [chrono, uuid, serde_json],
    );
}

/// Only `uuid`: the other columns stay `Raw`.
pub mod with_uuid {
    retort::migrations!(
        "tests/ui/migrations/schema_typed_people",
        untracked,
        types = [uuid],
    );
}

/// Two heads: no `schema`, but each head through `schema_at`.
pub mod heads {
    retort::migrations!(
        "tests/ui/migrations/heads",
        allow_multiple_heads,
        untracked,
        schema_at = ["002", "003"],
    );
}

/// A table whose columns the model cannot tell, and a view.
pub mod unknown {
    retort::migrations!("tests/ui/migrations/schema_typed_unknown", untracked);
}

use db::schema::people;

fn main() {
    // The table and its columns, as PostgreSQL names them and as SQL text.
    assert_eq!(people::TABLE.name(), "people");
    assert_eq!(people::TABLE.schema(), "public");
    assert_eq!(people::NAME.name(), "name");
    assert_eq!(people::NICKNAME.sql_type(), "character varying(40)");
    assert!(people::NICKNAME.is_nullable());
    assert!(!people::ID.is_nullable());
    assert_eq!(people::E_MAIL.name(), "E-mail");
    assert_eq!(people::E_MAIL.to_string(), "\"E-mail\"");
    // `type` is a keyword of Rust (`r#type` below) but not a reserved word of PostgreSQL.
    assert_eq!(people::TYPE.to_string(), "type");
    let names: Vec<&str> = people::COLUMNS.iter().map(|c| c.name()).collect();
    assert_eq!(names[..3], ["id", "name", "nickname"]);
    assert_eq!(names.len(), 20);

    // Every field with the type the `postgres` crate reads it as; without `types`, dates,
    // times, `uuid` and `json` are `Raw` whatever retort's features.
    let row = people::Row {
        id: 1_i64,
        name: String::from("Ada"),
        nickname: None::<String>,
        age: Some(36_i32),
        level: 1_i16,
        active: true,
        avatar: Some(vec![0_u8]),
        ratio: Some(0.5_f64),
        weight: Some(60.5_f32),
        born: None::<Raw>,
        seen: None::<Raw>,
        birthday: None::<Raw>,
        wakes: None::<Raw>,
        token: None::<Raw>,
        profile: None::<Raw>,
        mood: None::<Raw>,
        tags: Some(vec![Some(String::from("x")), None]),
        scores: vec![Some(1_i32)],
        E_mail: None::<String>,
        r#type: None,
    };
    assert_eq!(row.clone(), row);
    let _: fn(&retort::postgres::Row) -> Result<people::Row, retort::postgres::Error> =
        <people::Row as retort::schema::FromRow>::from_row;
    let _: fn(&retort::postgres::Row) -> Result<people::Row, retort::postgres::Error> =
        |r| people::Row::try_from(r);

    // `types = [chrono, uuid, serde_json]`: those crates' types, as retort re-exports them.
    {
        use retort::schema::types::{chrono, serde_json, uuid};
        let typed = with_types::schema::people::Row {
            id: 1,
            name: String::new(),
            nickname: None,
            age: None,
            level: 1,
            active: true,
            avatar: None,
            ratio: None,
            weight: None,
            born: None::<chrono::DateTime<chrono::Utc>>,
            seen: None::<chrono::NaiveDateTime>,
            birthday: None::<chrono::NaiveDate>,
            wakes: None::<chrono::NaiveTime>,
            token: None::<uuid::Uuid>,
            profile: None::<serde_json::Value>,
            mood: None::<Raw>,
            tags: None,
            scores: Vec::new(),
            E_mail: None,
            r#type: None,
        };
        let _ = typed;
        // Only the crates the call lists.
        let uuid_only = with_uuid::schema::people::Row {
            id: 1,
            name: String::new(),
            nickname: None,
            age: None,
            level: 1,
            active: true,
            avatar: None,
            ratio: None,
            weight: None,
            born: None::<Raw>,
            seen: None::<Raw>,
            birthday: None::<Raw>,
            wakes: None::<Raw>,
            token: None::<uuid::Uuid>,
            profile: None::<Raw>,
            mood: None::<Raw>,
            tags: None,
            scores: Vec::new(),
            E_mail: None,
            r#type: None,
        };
        let _ = uuid_only;
    }

    // Another schema is a module of its own.
    assert_eq!(db::schema::audit::events::TABLE.to_string(), "audit.events");
    assert_eq!(db::schema::audit::events::PERSON.sql_type(), "bigint");
    let _ = db::schema::audit::events::Row {
        id: 1_i32,
        person: Some(2_i64),
        what: String::new(),
    };

    // `legacy`, dropped by `003`, is there in the schema after `002`.
    type At002 = db::schema_at::R002::people::Row;
    assert_eq!(db::schema_at::R002::people::LEGACY.name(), "legacy");
    let legacy = |r: &At002| r.legacy.clone();
    let _ = legacy;
    assert_eq!(db::schema_at::R002::people::COLUMNS.len(), 21);

    // Each head of a history with two.
    assert_eq!(heads::schema_at::R002::users::EMAIL.name(), "email");
    assert_eq!(heads::schema_at::R003::users::PHONE.name(), "phone");
    let _ = heads::schema_at::R003::users::Row { id: 1, phone: None };

    // `summary`'s columns come from a query: its name alone.
    assert_eq!(unknown::schema::summary::TABLE.name(), "summary");
    assert_eq!(unknown::schema::plain::COLUMNS.len(), 1);
}
