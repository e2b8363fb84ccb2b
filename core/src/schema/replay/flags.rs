//! The options of a statement that decide what happens when its object is there or not:
//! [`CreateFlags`] (`IF NOT EXISTS`), [`AlterFlags`] (`IF EXISTS`) and [`DropFlags`]
//! (`IF EXISTS`, `CASCADE`).

use squawk_syntax::ast;

/// `CREATE … IF NOT EXISTS`: what it creates may have been there before, and then stays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct CreateFlags {
    /// `IF NOT EXISTS` is written.
    pub(super) if_not_exists: bool,
}

impl CreateFlags {
    /// The flags of a statement whose `IF NOT EXISTS` clause is `clause`.
    pub(super) fn read(clause: Option<ast::IfNotExists>) -> Self {
        CreateFlags {
            if_not_exists: clause.is_some(),
        }
    }
}

/// `ALTER … IF EXISTS`: an object that is not there is no error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct AlterFlags {
    /// `IF EXISTS` is written.
    pub(super) if_exists: bool,
}

impl AlterFlags {
    /// The flags of a statement whose `IF EXISTS` clause is `clause`.
    pub(super) fn read(clause: Option<ast::IfExists>) -> Self {
        AlterFlags {
            if_exists: clause.is_some(),
        }
    }
}

/// `DROP … [IF EXISTS] … [CASCADE]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct DropFlags {
    /// `IF EXISTS`: an object that is not there is no error.
    pub(super) if_exists: bool,
    /// `CASCADE`: what depends on the object goes with it.
    pub(super) cascade: bool,
}

impl DropFlags {
    /// What goes with an object dropped along with its schema: everything that depends on it.
    pub(super) const CASCADE: DropFlags = DropFlags {
        if_exists: false,
        cascade: true,
    };

    /// The flags of a statement whose `IF EXISTS` clause is `clause` and whose
    /// `CASCADE`/`RESTRICT` is `behavior`.
    pub(super) fn read(clause: Option<ast::IfExists>, behavior: Option<ast::DropBehavior>) -> Self {
        DropFlags {
            if_exists: clause.is_some(),
            cascade: matches!(behavior, Some(ast::DropBehavior::Cascade(_))),
        }
    }
}
