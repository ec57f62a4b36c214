//! The Customers app's filter, shared by its two lists (organizations with their
//! matches, and the customers of one group): a search and/or a project.
//!
//! A search of [`MIN_SUBSTRING`](orgdesk_core::search::MIN_SUBSTRING) characters or
//! more matches anywhere in a customer's "first last email" and in an
//! organization's name, regardless of case and accents
//! ([`orgdesk_core::search`]), through a trigram index (migration 0013): FTS5 on
//! SQLite, pg_trgm GIN on PostgreSQL. A shorter one matches the start of a first
//! name, last name, full name, email or organization name (index range scans).
//! A project keeps its followers: the customers following it and the
//! organizations following it (with all their members).
//!
//! The SQL takes its values at `$1..$n` ([`Filter::args`]); the caller's own
//! placeholders start at [`Filter::next_param`].

use orgdesk_core::search::{is_substring_search, normalize_query};

use crate::db::{prefix_range, Arg, Db};

#[derive(Debug, Clone, PartialEq)]
enum Search {
    /// Keys in `from..to` (a word start).
    Prefix { from: String, to: String },
    /// The FTS5 phrase (SQLite) or `LIKE` pattern (PostgreSQL) of a substring.
    Substring(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    postgres: bool,
    search: Option<Search>,
    project: Option<i64>,
}

/// Ids of the customers whose first name, last name, full name (`sort_name`) or
/// email starts with `$1..$2`, each condition answered by an index.
const PREFIX_CUSTOMERS: &str = "SELECT id FROM customers WHERE last_key >= $1 AND last_key < $2 \
     UNION SELECT id FROM customers WHERE sort_name >= $1 AND sort_name < $2 \
     UNION SELECT id FROM customers WHERE email >= $1 AND email < $2";

impl Filter {
    /// The filter of a (trimmed, non-empty) search and/or a project; `None` without either.
    pub fn new(db: &Db, q: Option<&str>, project: Option<i64>) -> Option<Filter> {
        Filter::for_dialect(matches!(db, Db::Postgres(..)), q, project)
    }

    /// A SQLite filter, for unit tests elsewhere.
    #[cfg(test)]
    pub(crate) fn for_tests(q: Option<&str>, project: Option<i64>) -> Filter {
        Filter::for_dialect(false, q, project).expect("a search or a project")
    }

    fn for_dialect(postgres: bool, q: Option<&str>, project: Option<i64>) -> Option<Filter> {
        let search = q.map(normalize_query).filter(|q| !q.is_empty()).map(|q| {
            if !is_substring_search(&q) {
                let (from, to) = prefix_range(&q);
                Search::Prefix { from, to }
            } else if postgres {
                Search::Substring(format!("%{}%", escape_like(&q)))
            } else {
                Search::Substring(format!("\"{}\"", q.replace('"', "\"\"")))
            }
        });
        (search.is_some() || project.is_some()).then_some(Filter { postgres, search, project })
    }

    /// The values of `$1..$n`, in order.
    pub fn args(&self) -> Vec<Arg> {
        let mut args = match &self.search {
            None => vec![],
            Some(Search::Prefix { from, to }) => vec![from.clone().into(), to.clone().into()],
            Some(Search::Substring(pattern)) => vec![pattern.clone().into()],
        };
        args.extend(self.project.map(Arg::from));
        args
    }

    /// The first placeholder after the filter's.
    pub fn next_param(&self) -> usize {
        self.args().len() + 1
    }

    fn project_param(&self) -> usize {
        self.next_param() - 1
    }

    /// Ids (`id`) of the customers the filter keeps by themselves (not through their organization).
    pub fn customers(&self) -> String {
        let searched = self.search.as_ref().map(|s| match s {
            Search::Prefix { .. } => PREFIX_CUSTOMERS.to_string(),
            Search::Substring(_) if self.postgres => "SELECT id FROM customers WHERE search_text LIKE $1".into(),
            Search::Substring(_) => "SELECT rowid AS id FROM customers_search WHERE customers_search MATCH $1".into(),
        });
        both(searched, self.following_customers())
    }

    /// Ids of the customers following the project, themselves or through their organization.
    fn following_customers(&self) -> Option<String> {
        self.project.map(|_| {
            let p = self.project_param();
            format!(
                "SELECT customer_id AS id FROM project_followers WHERE project_id = ${p} AND customer_id IS NOT NULL \
                 UNION SELECT m.customer_id FROM project_followers f JOIN memberships m \
                 ON m.organization_id = f.organization_id WHERE f.project_id = ${p}"
            )
        })
    }

    /// Ids of the organizations following the project.
    fn following_organizations(&self) -> Option<String> {
        self.project.map(|_| {
            format!(
                "SELECT organization_id AS id FROM project_followers WHERE project_id = ${} \
                 AND organization_id IS NOT NULL",
                self.project_param()
            )
        })
    }

    /// Whether the filter keeps customer `c` by themselves, as a condition on the row.
    /// On PostgreSQL a substring is checked on the row's stored search text, so a
    /// group's page reads only that group's members instead of every match.
    pub fn keeps_customer(&self) -> String {
        match (&self.search, self.following_customers()) {
            (Some(Search::Substring(_)), None) if self.postgres => "c.search_text LIKE $1".into(),
            (Some(Search::Substring(_)), Some(following)) if self.postgres => {
                format!("(c.search_text LIKE $1 AND c.id IN ({following}))")
            }
            _ => format!("c.id IN ({})", self.customers()),
        }
    }

    /// Whether the filter keeps the organization `o` of membership `m` with all its
    /// members, as a condition on the row (see [`Filter::keeps_customer`]).
    pub fn keeps_organization(&self) -> String {
        match (&self.search, self.following_organizations()) {
            (Some(Search::Substring(_)), None) if self.postgres => "o.search_text LIKE $1".into(),
            (Some(Search::Substring(_)), Some(following)) if self.postgres => {
                format!("(o.search_text LIKE $1 AND m.organization_id IN ({following}))")
            }
            _ => format!("m.organization_id IN ({})", self.organizations()),
        }
    }

    /// Ids (`id`) of the organizations the filter keeps with all their members: their
    /// name matches the search, and they follow the project.
    pub fn organizations(&self) -> String {
        let searched = self.search.as_ref().map(|s| match s {
            Search::Prefix { .. } => "SELECT id FROM organizations WHERE name_key >= $1 AND name_key < $2".to_string(),
            Search::Substring(_) if self.postgres => "SELECT id FROM organizations WHERE search_text LIKE $1".into(),
            Search::Substring(_) => {
                "SELECT rowid AS id FROM organizations_search WHERE organizations_search MATCH $1".into()
            }
        });
        both(searched, self.following_organizations())
    }
}

/// The ids both sets hold (or the one set given). Wrapped in subqueries: SQLite
/// gives UNION and INTERSECT the same precedence, PostgreSQL does not.
fn both(a: Option<String>, b: Option<String>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("SELECT id FROM ({a}) a WHERE id IN ({b})"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => "SELECT id FROM customers WHERE 1 = 0".into(),
    }
}

/// `text` as a literal part of a `LIKE` pattern (PostgreSQL's default escape is `\`).
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_search_and_no_project_is_no_filter() {
        assert_eq!(Filter::for_dialect(false, None, None), None);
        assert_eq!(Filter::for_dialect(true, Some("   "), None), None);
    }

    #[test]
    fn a_short_search_is_a_prefix_range_of_the_folded_text() {
        let f = Filter::for_dialect(true, Some(" Zö "), None).unwrap();
        assert_eq!(f.args(), vec![Arg::from("zo"), Arg::from("zo\u{10FFFF}")]);
        assert_eq!(f.next_param(), 3);
        assert!(f.customers().contains("last_key >= $1 AND last_key < $2"), "{}", f.customers());
        assert!(f.organizations().contains("name_key >= $1 AND name_key < $2"));
    }

    #[test]
    fn a_longer_search_is_a_trigram_match_quoted_for_each_database() {
        let sqlite = Filter::for_dialect(false, Some("Zoë \"x"), None).unwrap();
        assert_eq!(sqlite.args(), vec![Arg::from("\"zoe \"\"x\"")]);
        assert!(sqlite.customers().contains("customers_search MATCH $1"));
        assert!(sqlite.organizations().contains("organizations_search MATCH $1"));
        let pg = Filter::for_dialect(true, Some("100%_a\\b"), None).unwrap();
        assert_eq!(pg.args(), vec![Arg::from("%100\\%\\_a\\\\b%")]);
        assert!(pg.customers().contains("FROM customers WHERE search_text LIKE $1"));
        assert!(pg.organizations().contains("FROM organizations WHERE search_text LIKE $1"));
    }

    #[test]
    fn a_project_comes_after_the_search_and_intersects_it() {
        let only = Filter::for_dialect(false, None, Some(7)).unwrap();
        assert_eq!(only.args(), vec![Arg::from(7i64)]);
        assert!(only.customers().starts_with("SELECT customer_id AS id FROM project_followers WHERE project_id = $1"));
        assert!(only.organizations().ends_with("project_id = $1 AND organization_id IS NOT NULL"));
        let both = Filter::for_dialect(false, Some("acme"), Some(7)).unwrap();
        assert_eq!(both.args(), vec![Arg::from("\"acme\""), Arg::from(7i64)]);
        assert_eq!(both.next_param(), 3);
        assert!(both.customers().starts_with("SELECT id FROM (SELECT rowid AS id FROM customers_search"));
        assert!(both
            .customers()
            .contains("WHERE id IN (SELECT customer_id AS id FROM project_followers WHERE project_id = $2"));
    }

    #[test]
    fn on_postgres_a_substring_is_checked_on_the_row() {
        let pg = Filter::for_dialect(true, Some("acme"), None).unwrap();
        assert_eq!(
            (pg.keeps_customer().as_str(), pg.keeps_organization().as_str()),
            ("c.search_text LIKE $1", "o.search_text LIKE $1")
        );
        let with_project = Filter::for_dialect(true, Some("acme"), Some(3)).unwrap();
        assert!(with_project.keeps_customer().starts_with("(c.search_text LIKE $1 AND c.id IN (SELECT customer_id"));
        let sqlite = Filter::for_dialect(false, Some("acme"), None).unwrap();
        assert_eq!(sqlite.keeps_customer(), format!("c.id IN ({})", sqlite.customers()));
        assert_eq!(sqlite.keeps_organization(), format!("m.organization_id IN ({})", sqlite.organizations()));
        let short = Filter::for_dialect(true, Some("ac"), None).unwrap();
        assert_eq!(short.keeps_customer(), format!("c.id IN ({})", short.customers()));
    }

    #[test]
    fn the_postgres_fold_is_the_cores() {
        let migration = include_str!("../../migrations/postgres/0013_search.sql");
        let translate =
            format!("translate(t, '{}', '{}')", orgdesk_core::search::FOLDED_FROM, orgdesk_core::search::FOLDED_TO);
        assert!(migration.contains(&translate), "migration 0013 folds with another table than orgdesk_core::search");
        assert!(migration.contains("AS (orgdesk_fold(first_name || ' ' || last_name || ' ' || email)) STORED"));
        assert!(migration.contains("customers USING gin (search_text gin_trgm_ops)"));
    }
}
