//! The typed schema against a real PostgreSQL: the migrations applied by the runtime, rows
//! inserted, read back with `SELECT *` and converted to the generated `Row` structs, with and
//! without `types = [chrono, uuid, serde_json]`.

use retort::postgres::Client;
use retort::postgres::types::Type;
use retort::schema::FromRow;
use retort::{Migrator, Target};

retort::migrations!(
    "tests/ui/migrations/schema_typed_people",
    untracked,
    derive = [Debug, Clone, PartialEq],
);

/// The same migrations, dates, times, `uuid` and `json` read as those crates' types.
mod typed {
    retort::migrations!(
        "tests/ui/migrations/schema_typed_people",
        untracked,
        derive = [Debug],
        types = [chrono, uuid, serde_json],
    );
}

use schema::audit::events;
use schema::people;

fn migrated() -> (retort_test_support::TestDb, Client) {
    let db = retort_test_support::database().expect("a test database");
    let mut client = db.connect();
    let steps = Migrator::new(&MIGRATIONS)
        .upgrade(&mut client, &Target::Head)
        .expect("the fixture's migrations apply");
    assert_eq!(steps.len(), 3);
    (db, client)
}

/// Inserts Ada, every column set, and Bob, every column that may be left out left out.
fn insert_ada_and_bob(client: &mut Client) {
    client
        .batch_execute(
            r#"
            INSERT INTO people (name, nickname, age, level, active, avatar, ratio, weight,
                                born, seen, birthday, wakes, token, profile, mood, tags,
                                scores, "E-mail", "type")
            VALUES ('Ada', 'ada', 36, 3, false, '\x00ff10', 0.25, 61.5,
                    '2000-01-01 00:00:01+00', '2000-01-02 00:00:00', '2000-01-03', '00:00:02',
                    '00112233-4455-6677-8899-aabbccddeeff', '{"a": [1]}', 'sad',
                    '{x,NULL,"y z"}', '{1,NULL,-3}', 'ada@example.com', 'admin');
            INSERT INTO people (name) VALUES ('Bob');
            "#,
        )
        .unwrap();
}

#[test]
fn every_column_reads_into_its_field() {
    let (_db, mut client) = migrated();
    insert_ada_and_bob(&mut client);
    let rows = client
        .query("SELECT * FROM people ORDER BY id", &[])
        .unwrap();
    let people: Vec<people::Row> = rows
        .iter()
        .map(people::Row::try_from)
        .collect::<Result<_, _>>()
        .unwrap();
    let [ada, bob] = people.as_slice() else {
        panic!("two rows, got {people:?}");
    };

    assert_eq!(ada.id, 1_i64);
    assert_eq!(ada.name, "Ada");
    assert_eq!(ada.nickname.as_deref(), Some("ada"));
    assert_eq!(ada.age, Some(36));
    assert_eq!(ada.level, 3_i16);
    assert!(!ada.active);
    assert_eq!(ada.avatar.as_deref(), Some(&[0x00, 0xff, 0x10][..]));
    assert_eq!(ada.ratio, Some(0.25));
    assert_eq!(ada.weight, Some(61.5));
    assert_eq!(
        ada.tags,
        Some(vec![Some("x".to_owned()), None, Some("y z".to_owned())])
    );
    assert_eq!(ada.scores, [Some(1), None, Some(-3)]);
    assert_eq!(ada.E_mail.as_deref(), Some("ada@example.com"));
    assert_eq!(ada.r#type.as_deref(), Some("admin"));

    // Without `types`, `retort::schema::Raw` whatever retort's features (the tests turn them
    // all on): the type and the binary value.
    raw_times(ada);
    raw_token(ada);
    raw_profile(ada);

    // An enum: `Raw` whatever the call's `types`, its binary value is the label.
    let mood = ada.mood.as_ref().unwrap();
    assert_eq!(mood.ty().name(), "mood");
    assert_eq!(mood.bytes(), b"sad");

    // Defaults, and NULL as `None` in every nullable field.
    assert_eq!(
        *bob,
        people::Row {
            id: 2,
            name: "Bob".to_owned(),
            nickname: None,
            age: None,
            level: 1,
            active: true,
            avatar: None,
            ratio: None,
            weight: None,
            born: None,
            seen: None,
            birthday: None,
            wakes: None,
            token: None,
            profile: None,
            mood: None,
            tags: None,
            scores: Vec::new(),
            E_mail: None,
            r#type: None,
        }
    );
}

/// The UUID of the fixture's first row.
const TOKEN: [u8; 16] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
];

/// Without `types`: the binary values (microseconds and days since 2000-01-01).
fn raw_times(ada: &people::Row) {
    let born = ada.born.as_ref().unwrap();
    assert_eq!(born.ty(), &Type::TIMESTAMPTZ);
    assert_eq!(born.bytes(), 1_000_000_i64.to_be_bytes());
    assert!(
        born.decode::<i64>().is_err(),
        "an i64 reads int8, not timestamptz"
    );
    let seen = ada.seen.as_ref().unwrap();
    assert_eq!(seen.ty(), &Type::TIMESTAMP);
    assert_eq!(seen.bytes(), 86_400_000_000_i64.to_be_bytes());
    let birthday = ada.birthday.as_ref().unwrap();
    assert_eq!(
        (birthday.ty(), birthday.bytes()),
        (&Type::DATE, &2_i32.to_be_bytes()[..])
    );
    let wakes = ada.wakes.as_ref().unwrap();
    assert_eq!(
        (wakes.ty(), wakes.bytes()),
        (&Type::TIME, &2_000_000_i64.to_be_bytes()[..])
    );
}

/// Without `types`: the `uuid` column's 16 bytes.
fn raw_token(ada: &people::Row) {
    let token = ada.token.as_ref().unwrap();
    assert_eq!((token.ty(), token.bytes()), (&Type::UUID, &TOKEN[..]));
}

/// Without `types`: the `jsonb` column's binary format (a version byte, then the text as
/// PostgreSQL prints it).
fn raw_profile(ada: &people::Row) {
    let profile = ada.profile.as_ref().unwrap();
    assert_eq!(
        (profile.ty(), profile.bytes()),
        (&Type::JSONB, &b"\x01{\"a\": [1]}"[..])
    );
}

#[test]
fn types_reads_dates_times_uuid_and_json_as_the_crates_types() {
    use retort::schema::types::{chrono, serde_json, uuid};
    let (_db, mut client) = migrated();
    insert_ada_and_bob(&mut client);
    let rows = client
        .query("SELECT * FROM people ORDER BY id", &[])
        .unwrap();
    let people: Vec<typed::schema::people::Row> = rows
        .iter()
        .map(typed::schema::people::Row::try_from)
        .collect::<Result<_, _>>()
        .unwrap();
    let [ada, bob] = people.as_slice() else {
        panic!("two rows, got {people:?}");
    };
    let day = |d| chrono::NaiveDate::from_ymd_opt(2000, 1, d).unwrap();
    assert_eq!(
        ada.born,
        Some(chrono::DateTime::from_timestamp(946_684_801, 0).unwrap())
    );
    assert_eq!(ada.seen, Some(day(2).and_hms_opt(0, 0, 0).unwrap()));
    assert_eq!(ada.birthday, Some(day(3)));
    assert_eq!(ada.wakes, chrono::NaiveTime::from_hms_opt(0, 0, 2));
    assert_eq!(ada.token, Some(uuid::Uuid::from_bytes(TOKEN)));
    assert_eq!(ada.profile, Some(serde_json::json!({"a": [1]})));
    // What `types` does not cover is as without it.
    assert_eq!(ada.mood.as_ref().map(|m| m.bytes()), Some(&b"sad"[..]));
    assert_eq!(ada.name, "Ada");
    assert_eq!(
        (bob.born, bob.token, bob.profile.as_ref()),
        (None, None, None)
    );
}

#[test]
fn constants_name_the_table_and_columns_in_sql() {
    let (_db, mut client) = migrated();
    client
        .execute(
            &format!(
                "INSERT INTO {} ({}, {}) VALUES ($1, $2)",
                people::TABLE,
                people::NAME,
                people::E_MAIL
            ),
            &[&"Cy", &"cy@example.com"],
        )
        .unwrap();
    client
        .execute(
            &format!(
                "INSERT INTO {} ({}, {}) VALUES (1, 'joined')",
                events::TABLE,
                events::PERSON,
                events::WHAT
            ),
            &[],
        )
        .unwrap();
    // Every column by name, from the constants.
    let columns: Vec<String> = people::COLUMNS.iter().map(ToString::to_string).collect();
    let row = client
        .query_one(
            &format!("SELECT {} FROM {}", columns.join(", "), people::TABLE),
            &[],
        )
        .unwrap();
    let cy = people::Row::from_row(&row).unwrap();
    assert_eq!(
        (cy.name.as_str(), cy.E_mail.as_deref()),
        ("Cy", Some("cy@example.com"))
    );
    let event = events::Row::from_row(
        &client
            .query_one(&format!("SELECT * FROM {}", events::TABLE), &[])
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        event,
        events::Row {
            id: 1,
            person: Some(1),
            what: "joined".to_owned()
        }
    );
    // The columns' types as PostgreSQL reports them.
    for column in people::COLUMNS {
        let reported: String = client
            .query_one(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
                 WHERE attrelid = 'people'::regclass AND attname = $1",
                &[&column.name()],
            )
            .unwrap()
            .get(0);
        assert_eq!(column.sql_type(), reported, "{}", column.name());
        let not_null: bool = client
            .query_one(
                "SELECT attnotnull FROM pg_attribute \
                 WHERE attrelid = 'people'::regclass AND attname = $1",
                &[&column.name()],
            )
            .unwrap()
            .get(0);
        assert_eq!(column.is_nullable(), !not_null, "{}", column.name());
    }
}

#[test]
fn a_row_without_every_column_is_an_error() {
    let (_db, mut client) = migrated();
    client
        .execute("INSERT INTO people (name) VALUES ('Dee')", &[])
        .unwrap();
    let row = client
        .query_one("SELECT id, name FROM people", &[])
        .unwrap();
    let err = people::Row::try_from(&row).unwrap_err();
    assert!(err.to_string().contains("nickname"), "{err}");
}

/// Tables of 32 columns (read in one call, the most a row reads so) and of 40 (read column
/// by column).
mod wide {
    retort::migrations!(
        "tests/ui/migrations/schema_typed_wide",
        untracked,
        derive = [Debug]
    );
}

#[test]
fn wide_rows_read_every_column_and_fail_on_the_column_at_fault() {
    use wide::schema::{wider, widest_read_at_once};
    let db = retort_test_support::database().expect("a test database");
    let mut client = db.connect();
    Migrator::new(&wide::MIGRATIONS)
        .upgrade(&mut client, &Target::Head)
        .expect("the wide tables are created");
    let values: Vec<String> = (1..=40).map(|i| (i * 10).to_string()).collect();
    client
        .batch_execute(&format!(
            "INSERT INTO widest_read_at_once DEFAULT VALUES;
             INSERT INTO wider VALUES ({});",
            values.join(", ")
        ))
        .unwrap();
    let row = client
        .query_one("SELECT * FROM widest_read_at_once", &[])
        .unwrap();
    let at_once = widest_read_at_once::Row::from_row(&row).unwrap();
    assert_eq!(
        (at_once.c1, at_once.c2, at_once.c31, at_once.c32),
        (1, 2, 31, 32)
    );
    let row = client.query_one("SELECT * FROM wider", &[]).unwrap();
    let wider = wider::Row::try_from(&row).unwrap();
    assert_eq!(
        (wider.c1, wider.c2, wider.c33, wider.c40),
        (Some(10), Some(20), Some(330), Some(400))
    );
    // A column of another type, and one missing: both ways give the error of that column.
    for table in ["widest_read_at_once", "wider"] {
        let read = |row: &retort::postgres::Row| match table {
            "wider" => wider::Row::try_from(row).map(|_| ()),
            _ => widest_read_at_once::Row::try_from(row).map(|_| ()),
        };
        let row = client
            .query_one(&format!("SELECT c1, c2::text AS c2 FROM {table}"), &[])
            .unwrap();
        let expected = row.try_get::<_, i32>("c2").unwrap_err().to_string();
        assert_eq!(read(&row).unwrap_err().to_string(), expected, "{table}");
        let row = client
            .query_one(&format!("SELECT c1, c2 FROM {table}"), &[])
            .unwrap();
        let expected = row.try_get::<_, i32>("c3").unwrap_err().to_string();
        assert_eq!(read(&row).unwrap_err().to_string(), expected, "{table}");
    }
}
