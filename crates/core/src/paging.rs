//! Paging of every list: `offset` and `limit` from a query string, checked once.

use serde::{Deserialize, Serialize};

use crate::FieldErrors;

/// The most rows one page may ask for.
pub const MAX_LIMIT: i64 = 200;
/// The page size when a request names none.
pub const DEFAULT_LIMIT: i64 = 50;

/// A checked page: `offset >= 0`, `1 <= limit <= MAX_LIMIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    pub offset: i64,
    pub limit: i64,
}

impl Default for Paging {
    fn default() -> Paging {
        Paging { offset: 0, limit: DEFAULT_LIMIT }
    }
}

/// `offset` and `limit` as they come in a query string, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PagingParams {
    /// Rows to skip (0 or more; default 0 when absent).
    #[cfg_attr(feature = "openapi", param(value_type = Option<i64>, minimum = 0))]
    pub offset: Option<String>,
    /// Rows to return (1 to 200; default 50 when absent).
    #[cfg_attr(feature = "openapi", param(value_type = Option<i64>, minimum = 1, maximum = 200))]
    pub limit: Option<String>,
}

impl Paging {
    pub fn new(offset: i64, limit: i64) -> Paging {
        Paging { offset, limit }
    }

    /// Checks raw `offset` and `limit`; every bad field is named in the errors.
    pub fn parse(params: &PagingParams) -> Result<Paging, FieldErrors> {
        let mut errors = FieldErrors::new();
        let offset = match params.offset.as_deref().map(str::trim) {
            None => Some(0),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => {
                    errors.insert("offset".into(), "The offset is a whole number, 0 or more.".into());
                    None
                }
            },
        };
        let limit = match params.limit.as_deref().map(str::trim) {
            None => Some(DEFAULT_LIMIT),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Some(n),
                _ => {
                    errors.insert("limit".into(), format!("The limit is between 1 and {MAX_LIMIT}."));
                    None
                }
            },
        };
        match (offset, limit) {
            (Some(offset), Some(limit)) => Ok(Paging { offset, limit }),
            _ => Err(errors),
        }
    }

    /// `offset=..&limit=..`, as [`Paging::parse`] reads it back.
    pub fn to_query(self) -> String {
        format!("offset={}&limit={}", self.offset, self.limit)
    }

    /// The page after this one.
    pub fn next(self) -> Paging {
        Paging { offset: self.offset + self.limit, limit: self.limit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(offset: Option<&str>, limit: Option<&str>) -> Result<Paging, FieldErrors> {
        Paging::parse(&PagingParams { offset: offset.map(Into::into), limit: limit.map(Into::into) })
    }

    #[test]
    fn absent_values_give_the_first_page_of_the_default_size() {
        assert_eq!(parse(None, None), Ok(Paging::new(0, DEFAULT_LIMIT)));
    }

    #[test]
    fn empty_values_are_not_numbers() {
        let errors = parse(Some(""), Some(" ")).unwrap_err();
        assert!(errors.contains_key("offset") && errors.contains_key("limit"), "{errors:?}");
    }

    #[test]
    fn the_limits_are_inclusive() {
        assert_eq!(parse(Some("0"), Some("1")), Ok(Paging::new(0, 1)));
        assert_eq!(parse(Some("400"), Some("200")), Ok(Paging::new(400, 200)));
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = parse(Some("-1"), Some("201")).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["limit", "offset"]);
        assert!(parse(Some("x"), None).unwrap_err().contains_key("offset"));
        assert!(parse(None, Some("0")).unwrap_err().contains_key("limit"));
        assert!(parse(None, Some("1.5")).unwrap_err().contains_key("limit"));
    }

    #[test]
    fn a_page_reads_back_from_its_query() {
        let page = Paging::new(100, 25);
        let query = page.to_query();
        let (offset, limit) = query.split_once('&').unwrap();
        let params = PagingParams {
            offset: offset.strip_prefix("offset=").map(Into::into),
            limit: limit.strip_prefix("limit=").map(Into::into),
        };
        assert_eq!(Paging::parse(&params), Ok(page));
        assert_eq!(page.next(), Paging::new(125, 25));
    }
}
