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

use crate::db::search_stats::Sample;
use crate::db::{prefix_range, Arg, Db};

#[derive(Debug, Clone, PartialEq)]
enum Search {
    /// Keys in `from..to` (a word start).
    Prefix { from: String, to: String },
    /// A substring: `lookup` is what the trigram index is asked for, the FTS5 phrase
    /// (SQLite) or `LIKE` pattern (PostgreSQL) of the whole search or of its rarest
    /// part (`windowed`); then `folded`, the whole folded search, must be in each row found
    /// (`orgdesk_fold` of its text on SQLite, the stored folded text on PostgreSQL).
    Substring { lookup: String, folded: String, windowed: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    postgres: bool,
    search: Option<Search>,
    project: Option<i64>,
}

/// A customer `c`'s text as the search index holds it (migration 0013).
const CUSTOMER_TEXT: &str = "c.first_name || ' ' || c.last_name || ' ' || c.email";

/// Ids of the customers whose first name, last name, full name (`sort_name`) or
/// email starts with `$1..$2`, each condition answered by an index.
const PREFIX_CUSTOMERS: &str = "SELECT id FROM customers WHERE last_key >= $1 AND last_key < $2 \
     UNION SELECT id FROM customers WHERE sort_name >= $1 AND sort_name < $2 \
     UNION SELECT id FROM customers WHERE email >= $1 AND email < $2";

impl Filter {
    /// The filter of a (trimmed, non-empty) search and/or a project; `None` without
    /// either. A long search asks the index for the part `sample` says is rarest.
    pub fn new(db: &Db, q: Option<&str>, project: Option<i64>, sample: &Sample) -> Option<Filter> {
        Filter::for_dialect(matches!(db, Db::Postgres(..)), q, project, sample)
    }

    /// A SQLite filter, for unit tests elsewhere.
    #[cfg(test)]
    pub(crate) fn for_tests(q: Option<&str>, project: Option<i64>) -> Filter {
        Filter::for_dialect(false, q, project, &Sample::default()).expect("a search or a project")
    }

    fn for_dialect(postgres: bool, q: Option<&str>, project: Option<i64>, sample: &Sample) -> Option<Filter> {
        let search = q.map(normalize_query).filter(|q| !q.is_empty()).map(|q| {
            if !is_substring_search(&q) {
                let (from, to) = prefix_range(&q);
                return Search::Prefix { from, to };
            }
            let window = sample.narrowest(&q);
            let part = window.as_deref().unwrap_or(&q);
            let lookup = if postgres {
                format!("%{}%", escape_like(part))
            } else {
                format!("\"{}\"", part.replace('"', "\"\""))
            };
            Search::Substring { lookup, folded: q, windowed: window.is_some() }
        });
        (search.is_some() || project.is_some()).then_some(Filter { postgres, search, project })
    }

    /// The values of `$1..$n`, in order.
    pub fn args(&self) -> Vec<Arg> {
        let mut args = match &self.search {
            None => vec![],
            Some(Search::Prefix { from, to }) => vec![from.clone().into(), to.clone().into()],
            // SQLite always has the whole search at $2, to check rows with (unused by some statements).
            Some(Search::Substring { lookup, folded, windowed }) => {
                let check = (*windowed || !self.postgres).then_some(folded);
                std::iter::once(lookup).chain(check).map(|text| text.clone().into()).collect()
            }
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
            Search::Substring { .. } if self.postgres => {
                format!("SELECT id FROM customers WHERE {}", self.pg_substring("search_text"))
            }
            Search::Substring { windowed: false, .. } => {
                "SELECT rowid AS id FROM customers_search WHERE customers_search MATCH $1".into()
            }
            Search::Substring { windowed: true, .. } => format!(
                "SELECT s.rowid AS id FROM customers_search s JOIN customers c ON c.id = s.rowid \
                 WHERE s.customers_search MATCH $1 AND instr(orgdesk_fold({CUSTOMER_TEXT}), $2) > 0"
            ),
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
            (Some(Search::Substring { .. }), None) if self.postgres => {
                format!("({})", self.pg_substring("c.search_text"))
            }
            (Some(Search::Substring { .. }), Some(following)) if self.postgres => {
                format!("({} AND c.id IN ({following}))", self.pg_substring("c.search_text"))
            }
            _ => format!("c.id IN ({})", self.customers()),
        }
    }

    /// Whether the filter keeps the organization `o` of membership `m` with all its
    /// members, as a condition on the row (see [`Filter::keeps_customer`]).
    pub fn keeps_organization(&self) -> String {
        match (&self.search, self.following_organizations()) {
            (Some(Search::Substring { .. }), None) if self.postgres => {
                format!("({})", self.pg_substring("o.search_text"))
            }
            (Some(Search::Substring { .. }), Some(following)) if self.postgres => {
                format!("({} AND m.organization_id IN ({following}))", self.pg_substring("o.search_text"))
            }
            _ => format!("m.organization_id IN ({})", self.organizations()),
        }
    }

    /// Whether the filter keeps customer `c` of organization `o` (membership `m`) on a
    /// page of one group: a few rows, so on SQLite a substring is checked on each
    /// row's folded text (`orgdesk_fold`) rather than read from the index for the
    /// whole table; otherwise [`Filter::keeps_customer`] or [`Filter::keeps_organization`].
    pub fn keeps_in_group(&self) -> String {
        match (&self.search, self.project) {
            (Some(Search::Substring { .. }), None) if !self.postgres => {
                format!("({} OR instr(orgdesk_fold(o.name), $2) > 0)", self.keeps_customer_row())
            }
            _ => format!("({} OR {})", self.keeps_customer(), self.keeps_organization()),
        }
    }

    /// Ids (`id`) of every customer the filter keeps: by themselves, or as a member of an
    /// organization it keeps. Each part is an index lookup, so the set costs what it holds.
    pub fn hits(&self) -> String {
        format!(
            "SELECT id FROM ({}) kept UNION SELECT hm.customer_id FROM memberships hm WHERE hm.organization_id IN ({})",
            self.customers(),
            self.organizations()
        )
    }

    /// Whether the filter keeps customer `c` of membership `m` and organization `o`,
    /// checked on the row itself (no set of ids gathered first), for a walk along the
    /// customers' name index that stops at the page's end. With a project: the row's
    /// id among [`Filter::hits`].
    pub fn keeps_row(&self) -> String {
        match (&self.search, self.project) {
            (Some(Search::Prefix { .. }), None) => {
                format!("({} OR (o.name_key >= $1 AND o.name_key < $2))", self.keeps_customer_row())
            }
            (Some(Search::Substring { .. }), None) => self.keeps_in_group(),
            _ => format!("c.id IN ({})", self.hits()),
        }
    }

    /// Whether the filter keeps customer `c` by themselves, checked on the row (a few
    /// rows: a substring on SQLite is looked for in the row's folded text rather than
    /// read from the index for the whole table). With a project: [`Filter::keeps_customer`].
    pub fn keeps_customer_row(&self) -> String {
        match (&self.search, self.project) {
            (Some(Search::Prefix { .. }), None) => "((c.last_key >= $1 AND c.last_key < $2) \
                 OR (c.sort_name >= $1 AND c.sort_name < $2) OR (c.email >= $1 AND c.email < $2))"
                .into(),
            (Some(Search::Substring { .. }), None) if !self.postgres => {
                format!("instr(orgdesk_fold({CUSTOMER_TEXT}), $2) > 0")
            }
            _ => self.keeps_customer(),
        }
    }

    /// Ids (`id`) of the organizations the filter keeps with all their members: their
    /// name matches the search, and they follow the project.
    pub fn organizations(&self) -> String {
        let searched = self.search.as_ref().map(|s| match s {
            Search::Prefix { .. } => "SELECT id FROM organizations WHERE name_key >= $1 AND name_key < $2".to_string(),
            Search::Substring { .. } if self.postgres => {
                format!("SELECT id FROM organizations WHERE {}", self.pg_substring("search_text"))
            }
            Search::Substring { windowed: false, .. } => {
                "SELECT rowid AS id FROM organizations_search WHERE organizations_search MATCH $1".into()
            }
            Search::Substring { windowed: true, .. } => {
                "SELECT s.rowid AS id FROM organizations_search s JOIN organizations so ON so.id = s.rowid \
                 WHERE s.organizations_search MATCH $1 AND instr(orgdesk_fold(so.name), $2) > 0"
                    .into()
            }
        });
        both(searched, self.following_organizations())
    }

    /// On PostgreSQL, whether the folded text `column` holds the substring searched:
    /// the index answers `LIKE $1` (the rarest part), `strpos` checks the whole.
    fn pg_substring(&self, column: &str) -> String {
        match &self.search {
            Some(Search::Substring { windowed: true, .. }) => {
                format!("{column} LIKE $1 AND strpos({column}, $2) > 0")
            }
            _ => format!("{column} LIKE $1"),
        }
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
        assert_eq!(Filter::for_dialect(false, None, None, &Sample::default()), None);
        assert_eq!(Filter::for_dialect(true, Some("   "), None, &Sample::default()), None);
    }

    #[test]
    fn a_short_search_is_a_prefix_range_of_the_folded_text() {
        let f = Filter::for_dialect(true, Some(" Zö "), None, &Sample::default()).unwrap();
        assert_eq!(f.args(), vec![Arg::from("zo"), Arg::from("zo\u{10FFFF}")]);
        assert_eq!(f.next_param(), 3);
        assert!(f.customers().contains("last_key >= $1 AND last_key < $2"), "{}", f.customers());
        assert!(f.organizations().contains("name_key >= $1 AND name_key < $2"));
    }

    #[test]
    fn a_longer_search_is_a_trigram_match_quoted_for_each_database() {
        let sqlite = Filter::for_dialect(false, Some("Zoë \"x"), None, &Sample::default()).unwrap();
        // The whole folded search comes second on SQLite, to check rows of one group with.
        assert_eq!(sqlite.args(), vec![Arg::from("\"zoe \"\"x\""), Arg::from("zoe \"x")]);
        assert_eq!(
            sqlite.keeps_in_group(),
            format!("(instr(orgdesk_fold({CUSTOMER_TEXT}), $2) > 0 OR instr(orgdesk_fold(o.name), $2) > 0)")
        );
        assert!(sqlite.customers().contains("customers_search MATCH $1"));
        assert!(sqlite.organizations().contains("organizations_search MATCH $1"));
        let pg = Filter::for_dialect(true, Some("100%_a\\b"), None, &Sample::default()).unwrap();
        assert_eq!(pg.args(), vec![Arg::from("%100\\%\\_a\\\\b%")]);
        assert_eq!(pg.keeps_in_group(), "((c.search_text LIKE $1) OR (o.search_text LIKE $1))");
        assert!(pg.customers().contains("FROM customers WHERE search_text LIKE $1"));
        assert!(pg.organizations().contains("FROM organizations WHERE search_text LIKE $1"));
    }

    #[test]
    fn a_project_comes_after_the_search_and_intersects_it() {
        let only = Filter::for_dialect(false, None, Some(7), &Sample::default()).unwrap();
        assert_eq!(only.args(), vec![Arg::from(7i64)]);
        assert!(only.customers().starts_with("SELECT customer_id AS id FROM project_followers WHERE project_id = $1"));
        assert!(only.organizations().ends_with("project_id = $1 AND organization_id IS NOT NULL"));
        let both = Filter::for_dialect(false, Some("acme"), Some(7), &Sample::default()).unwrap();
        assert_eq!(both.args(), vec![Arg::from("\"acme\""), Arg::from("acme"), Arg::from(7i64)]);
        assert_eq!(both.next_param(), 4);
        assert!(both.customers().starts_with("SELECT id FROM (SELECT rowid AS id FROM customers_search"));
        assert!(both
            .customers()
            .contains("WHERE id IN (SELECT customer_id AS id FROM project_followers WHERE project_id = $3"));
        // With a project, a group's rows are filtered as any list's.
        assert_eq!(both.keeps_in_group(), format!("({} OR {})", both.keeps_customer(), both.keeps_organization()));
    }

    #[test]
    fn on_postgres_a_substring_is_checked_on_the_row() {
        let pg = Filter::for_dialect(true, Some("acme"), None, &Sample::default()).unwrap();
        assert_eq!(
            (pg.keeps_customer().as_str(), pg.keeps_organization().as_str()),
            ("(c.search_text LIKE $1)", "(o.search_text LIKE $1)")
        );
        let with_project = Filter::for_dialect(true, Some("acme"), Some(3), &Sample::default()).unwrap();
        assert!(with_project.keeps_customer().starts_with("(c.search_text LIKE $1 AND c.id IN (SELECT customer_id"));
        let sqlite = Filter::for_dialect(false, Some("acme"), None, &Sample::default()).unwrap();
        assert_eq!(sqlite.keeps_customer(), format!("c.id IN ({})", sqlite.customers()));
        assert_eq!(sqlite.keeps_organization(), format!("m.organization_id IN ({})", sqlite.organizations()));
        let short = Filter::for_dialect(true, Some("ac"), None, &Sample::default()).unwrap();
        assert_eq!(short.keeps_customer(), format!("c.id IN ({})", short.customers()));
    }

    #[test]
    fn a_long_search_asks_the_index_for_its_rarest_part_and_checks_the_whole() {
        let customers: Vec<String> = (0..500).map(|n| format!("Ava Adams ava.{n}@org{}.example", n % 50)).collect();
        let sample = Sample::from_texts(customers.iter().map(String::as_str), 500, std::iter::empty(), 0);
        let sqlite = Filter::for_dialect(false, Some("Org42.Example"), Some(9), &sample).unwrap();
        assert_eq!(sqlite.args(), vec![Arg::from("\"g42.e\""), Arg::from("org42.example"), Arg::from(9i64)]);
        assert_eq!(sqlite.next_param(), 4);
        assert!(
            sqlite.customers().contains("customers_search MATCH $1 AND instr(orgdesk_fold("),
            "{}",
            sqlite.customers()
        );
        assert!(sqlite.organizations().contains("organizations_search MATCH $1 AND instr(orgdesk_fold(so.name), $2)"));
        assert!(sqlite.customers().contains("project_id = $3"), "{}", sqlite.customers());
        let pg = Filter::for_dialect(true, Some("org42.example"), None, &sample).unwrap();
        assert_eq!(pg.args(), vec![Arg::from("%g42.e%"), Arg::from("org42.example")]);
        assert_eq!(pg.keeps_customer(), "(c.search_text LIKE $1 AND strpos(c.search_text, $2) > 0)");
        // A search no longer than the part is asked for whole, unchecked.
        let short = Filter::for_dialect(true, Some("org42"), None, &sample).unwrap();
        assert_eq!(short.args(), vec![Arg::from("%org42%")]);
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
