//! A sequence's options as PostgreSQL keeps them in `pg_sequence`: its type, increment,
//! bounds, start, cache and cycling, with every default resolved the way `CREATE SEQUENCE`
//! and `ALTER SEQUENCE` resolve it, so that an option written with its default value and an
//! option left out compare equal.
//!
//! The rules follow PostgreSQL's (`init_params` in `sequence.c`): a new sequence is `bigint`
//! with increment 1, cache 1, no cycle; its bounds are `1` and the type's maximum when it
//! ascends, the type's minimum and `-1` when it descends; it starts at its minimum when it
//! ascends, at its maximum when it descends. `ALTER SEQUENCE` changes only what it names,
//! but `NO MINVALUE`/`NO MAXVALUE` take the default again, and a new type (`AS`) moves a
//! bound that was the old type's limit to the new type's. `RESTART` changes the current value,
//! not the start. A `serial` column's sequence is of the column's type (`integer` for
//! `serial`), as is an identity column's; changing an identity column's type changes its
//! sequence's as `AS` would.

/// A sequence's integer type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeqType {
    /// `smallint`.
    SmallInt,
    /// `integer`.
    Integer,
    /// `bigint`.
    BigInt,
}

impl SeqType {
    /// The type of a normalised type text (`integer`, `bigint`, `smallint`), if it is one.
    pub fn of(ty: &str) -> Option<SeqType> {
        match ty {
            "smallint" => Some(SeqType::SmallInt),
            "integer" => Some(SeqType::Integer),
            "bigint" => Some(SeqType::BigInt),
            _ => None,
        }
    }

    /// The type as `format_type` prints it.
    pub fn word(self) -> &'static str {
        match self {
            SeqType::SmallInt => "smallint",
            SeqType::Integer => "integer",
            SeqType::BigInt => "bigint",
        }
    }

    /// The type's smallest value.
    pub fn min(self) -> i64 {
        match self {
            SeqType::SmallInt => i64::from(i16::MIN),
            SeqType::Integer => i64::from(i32::MIN),
            SeqType::BigInt => i64::MIN,
        }
    }

    /// The type's largest value.
    pub fn max(self) -> i64 {
        match self {
            SeqType::SmallInt => i64::from(i16::MAX),
            SeqType::Integer => i64::from(i32::MAX),
            SeqType::BigInt => i64::MAX,
        }
    }
}

/// One option of `CREATE SEQUENCE`, `ALTER SEQUENCE` or an identity column, as written
/// (ownership and the sequence's name are the replay's business, not this one's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqOpt {
    /// `AS type`.
    As(SeqType),
    /// `INCREMENT [BY] n`.
    Increment(i64),
    /// `MINVALUE n` (`None`: `NO MINVALUE`).
    Min(Option<i64>),
    /// `MAXVALUE n` (`None`: `NO MAXVALUE`).
    Max(Option<i64>),
    /// `START [WITH] n`.
    Start(i64),
    /// `RESTART [[WITH] n]`: the current value only.
    Restart,
    /// `CACHE n`.
    Cache(i64),
    /// `CYCLE` (`true`) or `NO CYCLE`.
    Cycle(bool),
}

/// A sequence's options, defaults resolved: the columns of `pg_sequence`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SequenceOptions {
    /// `seqtypid`.
    pub data_type: SeqType,
    /// `seqincrement`.
    pub increment: i64,
    /// `seqmin`.
    pub min: i64,
    /// `seqmax`.
    pub max: i64,
    /// `seqstart`.
    pub start: i64,
    /// `seqcache`.
    pub cache: i64,
    /// `seqcycle`.
    pub cycle: bool,
}

impl SequenceOptions {
    /// What `CREATE SEQUENCE … AS ty` with no other option makes.
    pub fn defaults(ty: SeqType) -> Self {
        SequenceOptions::create(&[SeqOpt::As(ty)])
    }

    /// What `CREATE SEQUENCE` with `opts` makes (an identity column's or a `serial`'s
    /// sequence: its type first, then the options written).
    pub fn create(opts: &[SeqOpt]) -> Self {
        let placeholder = SequenceOptions {
            data_type: SeqType::BigInt,
            increment: 1,
            min: 1,
            max: i64::MAX,
            start: 1,
            cache: 1,
            cycle: false,
        };
        placeholder.resolve(opts, true)
    }

    /// These options after `ALTER SEQUENCE` with `opts`.
    pub fn alter(&self, opts: &[SeqOpt]) -> Self {
        self.resolve(opts, false)
    }

    /// PostgreSQL's `init_params`: `init` for a new sequence. The last of repeated options
    /// wins (PostgreSQL refuses a repeated option).
    fn resolve(&self, opts: &[SeqOpt], init: bool) -> Self {
        let mut s = *self;
        let last = |f: &dyn Fn(&SeqOpt) -> bool| opts.iter().rev().find(|o| f(o)).copied();
        let (mut reset_max, mut reset_min) = (false, false);
        match last(&|o| matches!(o, SeqOpt::As(_))) {
            Some(SeqOpt::As(ty)) => {
                if !init {
                    reset_max = s.max == s.data_type.max();
                    reset_min = s.min == s.data_type.min();
                }
                s.data_type = ty;
            }
            _ if init => s.data_type = SeqType::BigInt,
            _ => {}
        }
        match last(&|o| matches!(o, SeqOpt::Increment(_))) {
            Some(SeqOpt::Increment(n)) => s.increment = n,
            _ if init => s.increment = 1,
            _ => {}
        }
        match last(&|o| matches!(o, SeqOpt::Cycle(_))) {
            Some(SeqOpt::Cycle(c)) => s.cycle = c,
            _ if init => s.cycle = false,
            _ => {}
        }
        match last(&|o| matches!(o, SeqOpt::Max(_))) {
            Some(SeqOpt::Max(Some(n))) => s.max = n,
            given => {
                if init || given.is_some() || reset_max {
                    s.max = if s.increment > 0 || reset_max {
                        s.data_type.max()
                    } else {
                        -1
                    };
                }
            }
        }
        match last(&|o| matches!(o, SeqOpt::Min(_))) {
            Some(SeqOpt::Min(Some(n))) => s.min = n,
            given => {
                if init || given.is_some() || reset_min {
                    s.min = if s.increment < 0 || reset_min {
                        s.data_type.min()
                    } else {
                        1
                    };
                }
            }
        }
        match last(&|o| matches!(o, SeqOpt::Start(_))) {
            Some(SeqOpt::Start(n)) => s.start = n,
            _ if init => s.start = if s.increment > 0 { s.min } else { s.max },
            _ => {}
        }
        match last(&|o| matches!(o, SeqOpt::Cache(_))) {
            Some(SeqOpt::Cache(n)) => s.cache = n,
            _ if init => s.cache = 1,
            _ => {}
        }
        s
    }

    /// The options of `ALTER SEQUENCE` that turn `self` into `to`, each that differs
    /// (`AS integer INCREMENT BY 5 …`; bounds always as numbers, both with a new type);
    /// empty when they are the same.
    pub fn changes_to(&self, to: &SequenceOptions) -> String {
        let mut s = String::new();
        let mut put = |part: String| {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&part);
        };
        if self.data_type != to.data_type {
            put(format!("AS {}", to.data_type.word()));
        }
        if self.increment != to.increment {
            put(format!("INCREMENT BY {}", to.increment));
        }
        // A new type moves a bound that was the old type's limit: both are written then.
        let retyped = self.data_type != to.data_type;
        if self.min != to.min || retyped {
            put(format!("MINVALUE {}", to.min));
        }
        if self.max != to.max || retyped {
            put(format!("MAXVALUE {}", to.max));
        }
        if self.start != to.start {
            put(format!("START WITH {}", to.start));
        }
        if self.cache != to.cache {
            put(format!("CACHE {}", to.cache));
        }
        if self.cycle != to.cycle {
            put(if to.cycle { "CYCLE" } else { "NO CYCLE" }.to_owned());
        }
        s
    }

    /// The options that differ from what a new sequence of the same type makes, as they
    /// follow `CREATE SEQUENCE` or go inside an identity column's parentheses (the type
    /// left out); empty when there are none. A bound or start is written when it differs
    /// from what the options written before it make (a new minimum moves the start).
    pub fn non_default(&self) -> String {
        let mut opts = vec![SeqOpt::As(self.data_type)];
        let mut words = Vec::new();
        if self.increment != 1 {
            opts.push(SeqOpt::Increment(self.increment));
            words.push(format!("INCREMENT BY {}", self.increment));
        }
        let base = SequenceOptions::create(&opts);
        if self.min != base.min {
            opts.push(SeqOpt::Min(Some(self.min)));
            words.push(format!("MINVALUE {}", self.min));
        }
        if self.max != base.max {
            opts.push(SeqOpt::Max(Some(self.max)));
            words.push(format!("MAXVALUE {}", self.max));
        }
        if self.start != SequenceOptions::create(&opts).start {
            words.push(format!("START WITH {}", self.start));
        }
        if self.cache != 1 {
            words.push(format!("CACHE {}", self.cache));
        }
        if self.cycle {
            words.push("CYCLE".to_owned());
        }
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_type_and_the_direction() {
        let big = SequenceOptions::create(&[]);
        assert_eq!((big.min, big.max, big.start), (1, i64::MAX, 1));
        let int = SequenceOptions::defaults(SeqType::Integer);
        assert_eq!(int.max, 2_147_483_647);
        let down = SequenceOptions::create(&[SeqOpt::As(SeqType::SmallInt), SeqOpt::Increment(-2)]);
        assert_eq!((down.min, down.max, down.start), (-32768, -1, -1));
        // Written defaults and omitted ones are the same.
        let written = SequenceOptions::create(&[
            SeqOpt::Increment(1),
            SeqOpt::Min(None),
            SeqOpt::Max(Some(i64::MAX)),
            SeqOpt::Start(1),
            SeqOpt::Cache(1),
            SeqOpt::Cycle(false),
        ]);
        assert_eq!(written, big);
    }

    #[test]
    fn alter_changes_what_it_names_and_a_new_type_moves_default_bounds() {
        let s = SequenceOptions::defaults(SeqType::Integer);
        let t = s.alter(&[SeqOpt::As(SeqType::BigInt)]);
        assert_eq!(t.max, i64::MAX);
        let custom =
            SequenceOptions::create(&[SeqOpt::As(SeqType::Integer), SeqOpt::Max(Some(1000))]);
        assert_eq!(custom.alter(&[SeqOpt::As(SeqType::BigInt)]).max, 1000);
        // A new increment alone keeps the bounds and the start; RESTART keeps the start.
        let d = SequenceOptions::create(&[]).alter(&[SeqOpt::Increment(-1), SeqOpt::Restart]);
        assert_eq!((d.min, d.max, d.start), (1, i64::MAX, 1));
    }

    #[test]
    fn only_what_differs_is_written() {
        let s = SequenceOptions::create(&[
            SeqOpt::Increment(5),
            SeqOpt::Start(10),
            SeqOpt::Min(Some(10)),
        ]);
        assert_eq!(s.non_default(), "INCREMENT BY 5 MINVALUE 10");
        let m = SequenceOptions::create(&[SeqOpt::Min(Some(-5)), SeqOpt::Start(1)]);
        assert_eq!(m.non_default(), "MINVALUE -5 START WITH 1");
        let d = SequenceOptions::create(&[SeqOpt::Increment(-1)]);
        assert_eq!(d.non_default(), "INCREMENT BY -1");
        assert_eq!(SequenceOptions::create(&[]).non_default(), "");
        assert_eq!(
            SequenceOptions::create(&[]).changes_to(&d),
            format!(
                "INCREMENT BY -1 MINVALUE {} MAXVALUE -1 START WITH -1",
                i64::MIN
            )
        );
    }
}
