//! A statement as a value: SQL text with `$1`-style placeholders and the values
//! bound to them, built once and run on either database (see [`super::tx`]).
//!
//! Placeholders are numbered as values are added, so conditions can be appended
//! in any order ([`Query::param`], [`Query::push_bind`], [`Query::push_list`]) and
//! the text is plain data that unit tests can read.

use std::borrow::Cow;

/// A value bound to a placeholder. `None` binds SQL `NULL` of that type.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

/// A Rust value that can be bound to a placeholder; `Option<T>` binds `NULL` for `None`.
pub trait Bind {
    fn into_arg(self) -> Arg;
    /// `NULL` of this type.
    fn null() -> Arg;
}

impl<T: Bind> Bind for Option<T> {
    fn into_arg(self) -> Arg {
        self.map_or_else(T::null, Bind::into_arg)
    }
    fn null() -> Arg {
        T::null()
    }
}

impl<T: Bind + Clone> Bind for &T {
    fn into_arg(self) -> Arg {
        self.clone().into_arg()
    }
    fn null() -> Arg {
        T::null()
    }
}

impl<T: Bind> From<T> for Arg {
    fn from(value: T) -> Arg {
        value.into_arg()
    }
}

impl Bind for i64 {
    fn into_arg(self) -> Arg {
        Arg::Int(Some(self))
    }
    fn null() -> Arg {
        Arg::Int(None)
    }
}

impl Bind for i32 {
    fn into_arg(self) -> Arg {
        Arg::Int(Some(self.into()))
    }
    fn null() -> Arg {
        Arg::Int(None)
    }
}

impl Bind for f64 {
    fn into_arg(self) -> Arg {
        Arg::Float(Some(self))
    }
    fn null() -> Arg {
        Arg::Float(None)
    }
}

impl Bind for bool {
    fn into_arg(self) -> Arg {
        Arg::Bool(Some(self))
    }
    fn null() -> Arg {
        Arg::Bool(None)
    }
}

impl Bind for String {
    fn into_arg(self) -> Arg {
        Arg::Text(Some(self))
    }
    fn null() -> Arg {
        Arg::Text(None)
    }
}

impl Bind for &str {
    fn into_arg(self) -> Arg {
        Arg::Text(Some(self.to_owned()))
    }
    fn null() -> Arg {
        Arg::Text(None)
    }
}

impl Bind for Vec<u8> {
    fn into_arg(self) -> Arg {
        Arg::Bytes(Some(self))
    }
    fn null() -> Arg {
        Arg::Bytes(None)
    }
}

impl Bind for &[u8] {
    fn into_arg(self) -> Arg {
        Arg::Bytes(Some(self.to_vec()))
    }
    fn null() -> Arg {
        Arg::Bytes(None)
    }
}

/// SQL text and its bound values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    sql: Cow<'static, str>,
    args: Vec<Arg>,
}

/// A statement with `$n` placeholders; bind its values in order with [`Query::bind`].
pub fn query(sql: impl Into<Cow<'static, str>>) -> Query {
    Query { sql: sql.into(), args: Vec::new() }
}

impl Query {
    /// Binds the next placeholder.
    pub fn bind(mut self, value: impl Bind) -> Query {
        self.args.push(value.into_arg());
        self
    }

    /// Binds each of `values` in order (for the placeholders of an `IN (...)` list
    /// written with [`placeholders`]).
    pub fn bind_all<V: Bind>(mut self, values: impl IntoIterator<Item = V>) -> Query {
        self.args.extend(values.into_iter().map(Bind::into_arg));
        self
    }

    /// Binds values already made [`Arg`]s, in order.
    pub fn bind_args(mut self, args: impl IntoIterator<Item = Arg>) -> Query {
        self.args.extend(args);
        self
    }

    /// Adds a value and returns its placeholder (`$n`) without touching the text,
    /// for conditions assembled elsewhere and appended later.
    pub fn param(&mut self, value: impl Bind) -> String {
        self.param_arg(value.into_arg())
    }

    fn param_arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// Appends text.
    pub fn push(&mut self, sql: &str) -> &mut Query {
        self.sql.to_mut().push_str(sql);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn push_bind(&mut self, value: impl Bind) -> &mut Query {
        let p = self.param(value);
        self.push(&p)
    }

    /// Appends `$a, $b, ...`, one placeholder per value.
    pub fn push_list<V: Bind>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Query {
        let list: Vec<String> = values.into_iter().map(|v| self.param(v)).collect();
        self.push(&list.join(", "))
    }

    /// Appends `VALUES (..), (..)`, one tuple per row, each value a placeholder.
    pub fn push_values<R>(
        &mut self,
        rows: impl IntoIterator<Item = R>,
        mut row: impl FnMut(R) -> Vec<Arg>,
    ) -> &mut Query {
        self.push("VALUES ");
        for (i, r) in rows.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            let values: Vec<String> = row(r).into_iter().map(|a| self.param_arg(a)).collect();
            self.push("(").push(&values.join(", ")).push(")");
        }
        self
    }

    /// Appends `other`'s text and values, its placeholders renumbered to follow
    /// this statement's (`$1` of `other` becomes `$n + 1` after `n` values here).
    pub fn append(&mut self, other: &Query) -> &mut Query {
        let before = self.args.len();
        let text = map_placeholders(other.sql(), |n| Some(format!("${}", n + before)))
            .expect("a statement's placeholders are numbered");
        self.args.extend(other.args.iter().cloned());
        self.push(&text)
    }

    /// The number of the next placeholder.
    pub fn next_param(&self) -> usize {
        self.args.len() + 1
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn args(&self) -> &[Arg] {
        &self.args
    }
}

/// `sql` with each placeholder `$n` (outside quoted text) replaced by what
/// `replace(n)` gives; `None` when `replace` refuses one or a `$` has no number.
fn map_placeholders(sql: &str, mut replace: impl FnMut(usize) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') => {
                let digits: String =
                    std::iter::from_fn(|| chars.next_if(|(_, d)| d.is_ascii_digit()).map(|(_, d)| d)).collect();
                out.push_str(&replace(digits.parse::<usize>().ok()?)?);
                continue;
            }
            (None, _) => {}
        }
        out.push_str(&sql[i..i + c.len_utf8()]);
    }
    Some(out)
}

/// `sql` with its placeholders written as SQLite's anonymous `?`, when they are
/// exactly `$1, $2, ..., $n` in that order, each once (outside quoted text);
/// `None` otherwise. SQLite looks a numbered parameter up by a linear scan, so
/// binding thousands of `$N` costs time quadratic in their number, while `?`
/// parameters bind in constant time each.
pub fn anonymous_placeholders(sql: &str, n: usize) -> Option<String> {
    let mut expected = 1;
    let out = map_placeholders(sql, |number| {
        (number == expected).then(|| {
            expected += 1;
            "?".to_string()
        })
    })?;
    (expected == n + 1).then_some(out)
}

/// `$start, $start+1, ...` for `n` bind parameters.
pub fn placeholders(start: usize, n: usize) -> String {
    (start..start + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The byte range of keys that start with the (lower-cased, trimmed) search text:
/// `key >= from AND key < to`, which an index answers on both databases.
pub fn prefix_range(q: &str) -> (String, String) {
    let from = q.trim().to_lowercase();
    let to = format!("{from}\u{10FFFF}");
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_count_from_start() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
        assert_eq!(placeholders(1, 0), "");
    }

    #[test]
    fn the_prefix_range_covers_longer_keys_only() {
        let (from, to) = prefix_range("  Ann ");
        assert_eq!(from, "ann");
        for key in ["ann", "anna", "ann lee", "anné"] {
            assert!(key >= from.as_str() && key < to.as_str(), "{key}");
        }
        for key in ["an", "anm", "ano", "bob"] {
            assert!(!(key >= from.as_str() && key < to.as_str()), "{key}");
        }
    }

    #[test]
    fn placeholders_are_numbered_in_the_order_values_are_added() {
        let mut q = query("SELECT id FROM items WHERE ");
        let a = q.param(7_i64);
        q.push("project_id = ").push(&a).push(" AND status IN (").push_list(["new", "open"]).push(")");
        q.push(" AND requester_id = ").push_bind(None::<i64>);
        assert_eq!(q.sql(), "SELECT id FROM items WHERE project_id = $1 AND status IN ($2, $3) AND requester_id = $4");
        assert_eq!(
            q.args(),
            &[Arg::Int(Some(7)), Arg::Text(Some("new".into())), Arg::Text(Some("open".into())), Arg::Int(None)]
        );
        assert_eq!(q.next_param(), 5);
    }

    #[test]
    fn sequential_placeholders_become_anonymous_and_others_stay_numbered() {
        assert_eq!(
            anonymous_placeholders("INSERT INTO t VALUES ($1, '$2 text', $2), ($3, \"a$b\", $4)", 4).as_deref(),
            Some("INSERT INTO t VALUES (?, '$2 text', ?), (?, \"a$b\", ?)")
        );
        assert_eq!(anonymous_placeholders("SELECT $1, $1", 1), None, "a reused placeholder");
        assert_eq!(anonymous_placeholders("SELECT $2, $1", 2), None, "out of order");
        assert_eq!(anonymous_placeholders("SELECT $1", 2), None, "fewer placeholders than values");
        assert_eq!(anonymous_placeholders("SELECT $1, $2, $3", 2), None, "more placeholders than values");
        assert_eq!(anonymous_placeholders("SELECT $ FROM t", 0), None, "a lone dollar sign");
        assert_eq!(anonymous_placeholders("SELECT 1", 0).as_deref(), Some("SELECT 1"));
    }

    #[test]
    fn an_appended_statement_keeps_its_values_and_its_placeholders_follow_ours() {
        let mut q = query("WITH a AS (UPDATE t SET x = $1 WHERE id = $2), b AS (").bind(1_i64).bind(2_i64);
        let other = query("DELETE FROM u WHERE s = '$1' AND id IN ($1, $2) AND y = $1").bind(8_i64).bind(9_i64);
        q.append(&other).push(") SELECT 1");
        assert_eq!(
            q.sql(),
            "WITH a AS (UPDATE t SET x = $1 WHERE id = $2), b AS (DELETE FROM u WHERE s = '$1' AND id IN ($3, $4) AND y = $3) SELECT 1"
        );
        assert_eq!(q.args(), &[Arg::Int(Some(1)), Arg::Int(Some(2)), Arg::Int(Some(8)), Arg::Int(Some(9))]);
        assert_eq!(q.next_param(), 5);
    }

    #[test]
    fn values_rows_get_one_tuple_each() {
        let mut q = query("INSERT INTO memberships (customer_id, organization_id) ");
        q.push_values([1_i64, 2], |id| vec![id.into(), 9_i64.into()]);
        assert_eq!(q.sql(), "INSERT INTO memberships (customer_id, organization_id) VALUES ($1, $2), ($3, $4)");
        assert_eq!(q.args().len(), 4);
    }

    #[test]
    fn bound_values_keep_their_order_and_nulls() {
        let q = query("UPDATE t SET a = $1, b = $2, c = $3 WHERE id IN ($4, $5)")
            .bind("x")
            .bind(None::<String>)
            .bind(true)
            .bind_all([1_i64, 2]);
        assert_eq!(
            q.args(),
            &[
                Arg::Text(Some("x".into())),
                Arg::Text(None),
                Arg::Bool(Some(true)),
                Arg::Int(Some(1)),
                Arg::Int(Some(2))
            ]
        );
    }
}
