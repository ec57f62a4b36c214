//! Customers, their membership in an organization, and moves between organizations.

pub mod history;
pub mod moves;
pub mod profile;

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::customer_profile::MoveVia;
use orgdesk_core::api::{Customer, MovedCustomer};
use orgdesk_core::customer::{customer_sort_name, NewCustomer};
use orgdesk_core::domain::{best_match, candidate_claims, is_public_email_domain, normalize_host, Domain};

use orgdesk_core::paging::Paging;

use std::collections::{HashMap, HashSet};

use serde_json::json;

use self::history::{CreatedBy, Joined};
use crate::db::audit::{self, Actor};
use crate::db::organizations::search_hits::MAX_MATCHED_ORGANIZATIONS;
use crate::db::organizations::{self, history as organization_history};
use crate::db::projects::CUSTOMER_NAME;
use crate::db::search::Filter;
use crate::db::{member_stamps, placeholders, query, Db, OnUnique, Tx};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CustomerRow {
    id: i64,
    email: String,
    first_name: String,
    last_name: String,
    organization_id: Option<i64>,
    organization_name: Option<String>,
    position: Option<String>,
    phone: String,
    created_at: i64,
    email_verified: bool,
    portal_account: bool,
}

impl From<CustomerRow> for Customer {
    fn from(r: CustomerRow) -> Self {
        Customer {
            id: r.id,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            organization_id: r.organization_id,
            organization_name: r.organization_name,
            position: r.position.unwrap_or_default(),
            phone: r.phone,
            created_at: rfc3339(r.created_at),
            email_verified: r.email_verified,
            portal_account: r.portal_account,
        }
    }
}

/// The columns of a [`CustomerRow`] and the joins they come from: customers `c` with
/// their membership `m` and organization `o` (macros, so the statements below are
/// built at compile time).
macro_rules! customer_columns {
    () => {
        "c.id, c.email, c.first_name, c.last_name, m.organization_id, o.name AS organization_name, \
         m.position, c.phone, c.created_at, (c.email_verified_at IS NOT NULL) AS email_verified, \
         (c.password_hash IS NOT NULL) AS portal_account"
    };
}
/// [`customer_columns`] of a customer in no organization, and the group's size.
macro_rules! unassigned_columns {
    () => {
        "c.id, c.email, c.first_name, c.last_name, CAST(NULL AS BIGINT) AS organization_id, \
         CAST(NULL AS TEXT) AS organization_name, CAST(NULL AS TEXT) AS position, c.phone, c.created_at, \
         (c.email_verified_at IS NOT NULL) AS email_verified, (c.password_hash IS NOT NULL) AS portal_account, \
         (SELECT unassigned FROM customer_counts WHERE id = 1) AS total"
    };
}
macro_rules! customer_joins {
    () => {
        " FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
         LEFT JOIN organizations o ON o.id = m.organization_id"
    };
}
/// A [`CustomerRow`] and the number of rows its list holds.
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    row: CustomerRow,
    total: i64,
}

/// A [`CustomerRow`] a row.
pub(crate) const SELECT: &str = concat!("SELECT ", customer_columns!(), customer_joins!());
/// [`SELECT`] with the number of rows kept before paging, `total`.
const SELECT_COUNTED: &str = concat!("SELECT ", customer_columns!(), ", COUNT(*) OVER () AS total", customer_joins!());
/// How many rows [`SELECT`] keeps.
const COUNT: &str = concat!("SELECT COUNT(*)", customer_joins!());

/// Which customers a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    All,
    Unassigned,
    Organization(i64),
}

/// How many customers the list of all customers counts at most: past it the total
/// says "1,000+" ([`Listed::total_capped`]), and the page is found by walking the
/// name index rather than sorting every match.
pub const COUNT_CAP: i64 = 1000;

/// A page of customers and how many the list holds.
#[derive(Debug)]
pub struct Listed {
    pub items: Vec<Customer>,
    /// Every customer the list holds, or [`COUNT_CAP`] when there are more.
    pub total: i64,
    /// More than [`COUNT_CAP`] (only the list of all customers is capped).
    pub total_capped: bool,
}

/// A page of customers sorted by name, with the filter (a search and/or a project,
/// see [`Filter`]): the customers it keeps, and all members of the organizations it
/// keeps. The list of all customers counts at most [`COUNT_CAP`] + 1 of them.
pub async fn list(db: &Db, group: Group, filter: Option<&Filter>, page: Paging) -> Result<Listed, sqlx::Error> {
    match (group, filter) {
        (Group::All, Some(f)) => return list_all_filtered(db, f, page).await,
        (Group::All, None) => {
            let sql = format!("{SELECT} ORDER BY c.sort_name, c.id LIMIT $1 OFFSET $2");
            let rows: Vec<CustomerRow> = query(sql).bind(page.limit).bind(page.offset).fetch_all(db).await?;
            let counted: i64 =
                query(format!("SELECT COUNT(*) FROM (SELECT id FROM customers LIMIT {}) t", COUNT_CAP + 1))
                    .scalar(db)
                    .await?;
            return Ok(capped(rows, counted));
        }
        (Group::Unassigned, None) => return list_unassigned(db, page).await,
        _ => {}
    }
    let (conditions, next) = list_filter(group, filter);
    let args = filter.map(Filter::args).unwrap_or_default();
    let count_sql = format!("{COUNT}{conditions}");
    let order = format!("{conditions} ORDER BY c.sort_name, c.id LIMIT ${} OFFSET ${}", next, next + 1);
    if let Group::Organization(id) = group {
        // One organization's members are sorted in full anyway (no index orders them
        // by name), so the page carries their count: one statement.
        let sql = format!("{SELECT_COUNTED}{order}");
        let rows: Vec<Counted> =
            query(sql).bind_args(args.clone()).bind(id).bind(page.limit).bind(page.offset).fetch_all(db).await?;
        let total = match rows.first() {
            Some(first) => first.total,
            // Past the last page: no row carries the count.
            None => query(count_sql).bind_args(args).bind(id).scalar(db).await?,
        };
        let items = rows.into_iter().map(|r| Customer::from(r.row)).collect();
        return Ok(Listed { items, total, total_capped: false });
    }
    let sql = format!("{SELECT}{order}");
    let rows: Vec<CustomerRow> =
        query(sql).bind_args(args.clone()).bind(page.limit).bind(page.offset).fetch_all(db).await?;
    let total: i64 = query(count_sql).bind_args(args).scalar(db).await?;
    Ok(Listed { items: rows.into_iter().map(Customer::from).collect(), total, total_capped: false })
}

/// A page and a count of at most [`COUNT_CAP`] + 1.
fn capped(rows: Vec<CustomerRow>, counted: i64) -> Listed {
    Listed {
        items: rows.into_iter().map(Customer::from).collect(),
        total: counted.min(COUNT_CAP),
        total_capped: counted > COUNT_CAP,
    }
}

/// A page of all customers the filter keeps (what the pickers ask for). The ids it
/// keeps are counted up to [`COUNT_CAP`] + 1 from the indexes ([`Filter::hits`]: the
/// trigram or prefix lookups). Up to the cap, those rows are read by id and sorted.
/// Past it matches are common, so first the name index's first [`walked`] entries
/// are checked row by row ([`Filter::keeps_row`]): when the page fills among them it
/// is exact (no later row sorts before them). Otherwise (matches clustered late in
/// the order, such as one first name) every match is read by id and the page taken
/// from them sorted.
async fn list_all_filtered(db: &Db, f: &Filter, page: Paging) -> Result<Listed, sqlx::Error> {
    Ok(list_all_counted(db, f, page).await?.0)
}

/// [`list_all_filtered`], and how many customers the filter keeps by themselves,
/// counted up to [`COUNT_CAP`] + 1.
async fn list_all_counted(db: &Db, f: &Filter, page: Paging) -> Result<(Listed, i64), sqlx::Error> {
    // The customers matching by themselves first: the index stops reading at the cap,
    // where the whole set (with organizations' members, made distinct) is read in full.
    let capped_count =
        |ids: String| format!("SELECT COUNT(*) FROM (SELECT id FROM ({ids}) h LIMIT {}) t", COUNT_CAP + 1);
    // One statement: the hits are counted only when the customers alone are not over the cap.
    let sql = format!(
        "SELECT o.n, CASE WHEN o.n > {COUNT_CAP} THEN o.n ELSE ({}) END FROM ({}) o",
        capped_count(f.hits()),
        capped_count(f.customers()).replacen("SELECT COUNT(*)", "SELECT COUNT(*) AS n", 1)
    );
    let (own, counted): (i64, i64) = query(sql).bind_args(f.args()).fetch_one(db).await?;
    Ok((list_all_page(db, f, page, counted).await?, own))
}

/// The page of [`list_all_filtered`] once the customers the filter keeps are counted
/// (`counted`, up to [`COUNT_CAP`] + 1).
async fn list_all_page(db: &Db, f: &Filter, page: Paging, counted: i64) -> Result<Listed, sqlx::Error> {
    let args = f.args();
    let next = f.next_param();
    let paged = format!("ORDER BY c.sort_name, c.id LIMIT ${} OFFSET ${}", next, next + 1);
    // CROSS JOIN keeps SQLite from walking the whole name index instead.
    let from = |ids: &str| {
        format!(
            "SELECT {} FROM ({ids}) h CROSS JOIN customers c LEFT JOIN memberships m ON m.customer_id = c.id \
             LEFT JOIN organizations o ON o.id = m.organization_id WHERE c.id = h.id",
            customer_columns!()
        )
    };
    if counted > COUNT_CAP {
        let first = format!("SELECT id FROM customers ORDER BY sort_name, id LIMIT {}", walked(page));
        let sql = format!("{} AND {} {paged}", from(&first), f.keeps_row());
        let rows: Vec<CustomerRow> =
            query(sql).bind_args(args.clone()).bind(page.limit).bind(page.offset).fetch_all(db).await?;
        if rows.len() as i64 == page.limit {
            return Ok(capped(rows, counted));
        }
    }
    let sql = format!("{} {paged}", from(&f.hits()));
    let rows: Vec<CustomerRow> = query(sql).bind_args(args).bind(page.limit).bind(page.offset).fetch_all(db).await?;
    Ok(capped(rows, counted))
}

/// What a search keeps when the organizations it matches by name are known (see
/// [`gather`]).
enum Gathered {
    /// Every customer kept (at most [`COUNT_CAP`]), sorted by name: (sort name, id).
    All { hits: Vec<(String, i64)>, own: i64 },
    /// More than [`COUNT_CAP`]; `own` of them matched by themselves (up to the cap + 1).
    Over { own: i64 },
}

/// The customers search `f` keeps, gathered in two index lookups when it matches
/// `organizations` by name (sorted, at most [`MAX_MATCHED_ORGANIZATIONS`]): those it
/// matches by themselves (the trigram or prefix lookup, read once) and the members of
/// those organizations, each read up to [`COUNT_CAP`] + 1. Most searches keep a few
/// customers (a domain, a surname), whose page is then taken here instead of
/// searching the index again for a page of [`Filter::hits`].
async fn gather(db: &Db, f: &Filter, organizations: &[i64]) -> Result<Gathered, sqlx::Error> {
    let over = COUNT_CAP + 1;
    let sql = format!("SELECT c.sort_name, c.id FROM customers c WHERE c.id IN ({}) LIMIT {over}", f.customers());
    let mut hits: Vec<(String, i64)> = query(sql).bind_args(f.args()).fetch_all(db).await?;
    let own = hits.len() as i64;
    if own > COUNT_CAP {
        return Ok(Gathered::Over { own });
    }
    if !organizations.is_empty() {
        let sql = format!(
            "SELECT c.sort_name, c.id FROM memberships m JOIN customers c ON c.id = m.customer_id \
             WHERE m.organization_id IN ({}) LIMIT {over}",
            placeholders(1, organizations.len())
        );
        let members: Vec<(String, i64)> = query(sql).bind_all(organizations.iter().copied()).fetch_all(db).await?;
        hits.extend(members);
    }
    hits.sort_unstable();
    hits.dedup_by_key(|(_, id)| *id);
    Ok(if hits.len() as i64 > COUNT_CAP { Gathered::Over { own } } else { Gathered::All { hits, own } })
}

/// How many customers from the first in name order (`offset + limit`) a kept picker
/// result holds to follow moves; a result of a deeper page is computed anew when a move
/// can change it.
const MAX_KEPT_TOP: i64 = 200;

/// A picker's page of all customers a search (without a project) keeps, kept between
/// requests. Which customers a search matches by themselves, which organizations it
/// matches by name, and the name order depend only on text (kept per
/// `search_text_version`, migration 0022); the members of those organizations change
/// with moves. Every change of a membership stamps the organizations that gained or
/// lost a member ([`member_stamps`](crate::db::member_stamps)); a kept result re-reads
/// the members of the stamped organizations it matches by name and patches its first
/// customers and its count from them, instead of searching again. It is computed anew
/// only when a customer it listed left and the page was full (who comes next is not
/// known), or when it matches more than [`MAX_MATCHED_ORGANIZATIONS`] organizations.
/// The page's rows (their organization now) are read by id on every request
/// ([`PickerHits::page`]).
#[derive(Debug)]
pub struct PickerHits {
    filter: Filter,
    offset: usize,
    limit: usize,
    /// The organizations matched by name, sorted; `None` when more than
    /// [`MAX_MATCHED_ORGANIZATIONS`] (then any change of a membership makes it stale).
    organizations: Option<Vec<i64>>,
    /// The customers matched by themselves, counted up to [`COUNT_CAP`] + 1.
    own: i64,
    /// Whether moves are followed (else the result is only checked for staleness).
    follows: bool,
    /// The page's rows as the computation read them, for the request that computed it
    /// (taken once; every other request reads them anew). `None` when the computation
    /// read only ids ([`gather`]).
    first: std::sync::Mutex<Option<Vec<Customer>>>,
    state: std::sync::Mutex<Kept>,
    /// One request brings the result up to date at a time; the others wait for it.
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Debug, Clone)]
struct Kept {
    /// The search version the result is exact at.
    exact_at: i64,
    /// The first `offset + limit` customers in name order when moves are followed, else
    /// the page's.
    ids: Vec<i64>,
    /// What following moves takes, read when a move first touches the result (most
    /// searches typed once never need it).
    followed: Option<Followed>,
    total: i64,
    total_capped: bool,
}

#[derive(Debug, Clone)]
struct Followed {
    /// `ids` with what orders and keeps them.
    top: Vec<Hit>,
    /// When the count is below the cap: the members of each organization matched by name
    /// that are not matched by themselves.
    through: Option<HashMap<i64, i64>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Hit {
    sort_name: String,
    id: i64,
    /// Matched by themselves (else through their organization).
    own: bool,
    organization: Option<i64>,
}

/// (customer, organization, sort name, matched by themselves: 1 or 0).
type Member = (i64, Option<i64>, String, i64);

impl From<Member> for Hit {
    fn from((id, organization, sort_name, own): Member) -> Hit {
        Hit { sort_name, id, own: own != 0, organization }
    }
}

impl PickerHits {
    /// Computes the page as [`list`] does, after reading the search version (so the result
    /// is at least as new as that version).
    pub async fn compute(db: &Db, f: &Filter, page: Paging) -> Result<PickerHits, sqlx::Error> {
        PickerHits::compute_at(db, f, page, member_stamps::version(db).await?).await
    }

    /// [`PickerHits::compute`] with the search version read before (the request's).
    pub async fn compute_at(db: &Db, f: &Filter, page: Paging, exact_at: i64) -> Result<PickerHits, sqlx::Error> {
        let sql = format!("SELECT id FROM ({}) kept LIMIT {}", f.organizations(), MAX_MATCHED_ORGANIZATIONS + 1);
        let mut organizations: Vec<i64> = query(sql).bind_args(f.args()).scalars(db).await?;
        organizations.sort_unstable();
        let organizations = (organizations.len() <= MAX_MATCHED_ORGANIZATIONS).then_some(organizations);
        let top_len = page.offset.saturating_add(page.limit);
        let follows = organizations.is_some() && top_len <= MAX_KEPT_TOP;
        let read = if follows { Paging { offset: 0, limit: top_len } } else { page };
        let gathered = match organizations.as_deref() {
            Some(matched) => Some(gather(db, f, matched).await?),
            None => None,
        };
        let (kept, own, first) = match gathered {
            // The page's rows are read by id ([`PickerHits::page`]).
            Some(Gathered::All { hits, own }) => {
                let ids = hits.iter().skip(read.offset.max(0) as usize).take(read.limit.max(0) as usize);
                let ids = ids.map(|(_, id)| *id).collect();
                (Kept { exact_at, ids, followed: None, total: hits.len() as i64, total_capped: false }, own, None)
            }
            other => {
                let (listed, own) = match other {
                    Some(Gathered::Over { own }) => (list_all_page(db, f, read, COUNT_CAP + 1).await?, own),
                    _ => list_all_counted(db, f, read).await?,
                };
                let kept = Kept {
                    exact_at,
                    ids: listed.items.iter().map(|c| c.id).collect(),
                    followed: None,
                    total: listed.total,
                    total_capped: listed.total_capped,
                };
                let first = if follows {
                    listed.items.into_iter().skip(page.offset.max(0) as usize).collect()
                } else {
                    listed.items
                };
                (kept, own, Some(first))
            }
        };
        Ok(PickerHits {
            first: std::sync::Mutex::new(first),
            filter: f.clone(),
            offset: usize::try_from(page.offset).unwrap_or(usize::MAX),
            limit: usize::try_from(page.limit).unwrap_or(0),
            organizations,
            own,
            follows,
            state: std::sync::Mutex::new(kept),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    fn current(&self) -> Kept {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Replaces `old` with `new` unless another request brought it further already.
    fn store(&self, old: &Kept, new: Kept) {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.exact_at == old.exact_at && new.exact_at >= old.exact_at {
            *state = new;
        }
    }

    /// The organizations matched by name among `changed`; `None` when a change may
    /// change the result in ways not followed (too many matched organizations).
    fn touched(&self, changed: &[i64]) -> Option<Vec<i64>> {
        match &self.organizations {
            Some(matched) => Some(changed.iter().copied().filter(|id| self.matches(*id, matched)).collect()),
            None => changed.is_empty().then(Vec::new),
        }
    }

    fn matches(&self, organization: i64, matched: &[i64]) -> bool {
        matched.binary_search(&organization).is_ok()
    }

    /// Brings the result up to date with the membership changes since it was exact;
    /// `false` when it cannot be (then it must be computed anew).
    pub async fn refresh(&self, db: &Db) -> Result<bool, sqlx::Error> {
        let kept = self.current();
        let (now, changed) = member_stamps::changed_since(db, kept.exact_at).await?;
        match changed.as_deref().and_then(|c| self.touched(c)) {
            None => return Ok(false),
            Some(touched) if touched.is_empty() => {
                self.store(&kept, Kept { exact_at: now, ..kept.clone() });
                return Ok(true);
            }
            Some(_) if !self.follows => return Ok(false),
            Some(_) => {}
        }
        let _one = self.refreshing.lock().await;
        let current = self.current();
        let (kept, now, changed) = if current.exact_at >= now {
            // A request that waited here for another one's refresh: the result is now at
            // least as new as the version this request read.
            return Ok(true);
        } else if current.exact_at == kept.exact_at {
            // Nobody refreshed it meanwhile: the changes read above are the ones to apply.
            (kept, now, changed)
        } else {
            // Another request brought it partly up to date: read the changes since then.
            let (now, changed) = member_stamps::changed_since(db, current.exact_at).await?;
            (current, now, changed)
        };
        let Some(touched) = changed.as_deref().and_then(|c| self.touched(c)) else { return Ok(false) };
        if touched.is_empty() {
            self.store(&kept, Kept { exact_at: now, ..kept.clone() });
            return Ok(true);
        }
        let top_len = self.offset.saturating_add(self.limit);
        let mut followed = match kept.followed.clone() {
            Some(followed) => followed,
            None => match self.follow(db, &kept.ids, top_len).await? {
                Some(followed) => followed,
                None => return Ok(false),
            },
        };
        let f = &self.filter;
        let sql = format!(
            "SELECT m.customer_id, m.organization_id, c.sort_name, CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) \
             FROM memberships m JOIN customers c ON c.id = m.customer_id WHERE m.organization_id IN ({})",
            f.keeps_customer_row(),
            placeholders(f.next_param(), touched.len())
        );
        let members: Vec<Member> =
            query(sql).bind_args(f.args()).bind_all(touched.iter().copied()).fetch_all(db).await?;
        if !followed.patch(&touched, members, top_len) {
            return Ok(false);
        }
        let (total, total_capped) = followed.count(self.own).unwrap_or((kept.total, kept.total_capped));
        let ids = followed.top.iter().map(|h| h.id).collect();
        self.store(&kept, Kept { exact_at: now, ids, followed: Some(followed), total, total_capped });
        Ok(true)
    }

    /// Reads what following moves takes for the first customers `ids`, as they are now:
    /// their names' order, their organization and whether they match by themselves, and
    /// the members counted through each organization matched by name. `None` when one
    /// of a full list no longer matches (the next one is not known).
    async fn follow(&self, db: &Db, ids: &[i64], top_len: usize) -> Result<Option<Followed>, sqlx::Error> {
        let f = &self.filter;
        let mut top: Vec<Hit> = if ids.is_empty() {
            Vec::new()
        } else {
            let sql = format!(
                "SELECT c.id, m.organization_id, c.sort_name, CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) \
                 FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id WHERE c.id IN ({})",
                f.keeps_customer_row(),
                placeholders(f.next_param(), ids.len())
            );
            let rows: Vec<Member> = query(sql).bind_args(f.args()).bind_all(ids.iter().copied()).fetch_all(db).await?;
            rows.into_iter().map(Hit::from).collect()
        };
        top.sort_unstable();
        let matched = self.organizations.as_deref().unwrap_or_default();
        let before = top.len();
        top.retain(|h| h.own || h.organization.is_some_and(|o| self.matches(o, matched)));
        if top.len() < before && before >= top_len {
            return Ok(None);
        }
        let through = if self.own > COUNT_CAP {
            None
        } else if matched.is_empty() {
            Some(HashMap::new())
        } else {
            let sql = format!(
                "SELECT m.organization_id, COUNT(*) FROM memberships m JOIN customers c ON c.id = m.customer_id \
                 WHERE m.organization_id IN ({}) AND NOT {} GROUP BY m.organization_id",
                placeholders(f.next_param(), matched.len()),
                f.keeps_customer_row()
            );
            let counts: Vec<(i64, i64)> =
                query(sql).bind_args(f.args()).bind_all(matched.iter().copied()).fetch_all(db).await?;
            Some(counts.into_iter().collect())
        };
        Ok(Some(Followed { top, through }))
    }

    /// The page's customers as they are now, in name order. The request that computed
    /// the result (`computed_here`) is answered the rows the computation read.
    pub async fn page(&self, db: &Db, computed_here: bool) -> Result<Listed, sqlx::Error> {
        let kept = self.current();
        let first = if computed_here {
            self.first.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
        } else {
            None
        };
        let items = match first {
            Some(items) => items,
            None => {
                let from = if self.follows { self.offset } else { 0 };
                let ids: Vec<i64> = kept.ids.iter().skip(from).take(self.limit).copied().collect();
                let rows: Vec<CustomerRow> = if ids.is_empty() {
                    Vec::new()
                } else {
                    let sql =
                        format!("{SELECT} WHERE c.id IN ({}) ORDER BY c.sort_name, c.id", placeholders(1, ids.len()));
                    query(sql).bind_all(ids).fetch_all(db).await?
                };
                rows.into_iter().map(Customer::from).collect()
            }
        };
        Ok(Listed { items, total: kept.total, total_capped: kept.total_capped })
    }
}

impl Followed {
    /// Follows the members now of the organizations `touched` (matched by name, each of
    /// which gained or lost a member): the customers listed through one of them that
    /// left, and the ones that joined and sort among the first `top_len`. `false` when
    /// a listed customer left a full list (the next one is not known).
    fn patch(&mut self, touched: &[i64], members: Vec<Member>, top_len: usize) -> bool {
        let touched: HashSet<i64> = touched.iter().copied().collect();
        let now: HashMap<i64, Option<i64>> = members.iter().map(|(id, org, ..)| (*id, *org)).collect();
        let full = self.top.len() >= top_len;
        let before = self.top.len();
        self.top.retain_mut(|hit| match hit.organization {
            Some(org) if !hit.own && touched.contains(&org) => match now.get(&hit.id) {
                Some(org) => {
                    hit.organization = *org;
                    true
                }
                None => false,
            },
            _ => true,
        });
        if full && self.top.len() < before {
            return false;
        }
        if let Some(through) = self.through.as_mut() {
            for org in &touched {
                through.remove(org);
            }
            for (_, org, _, own) in &members {
                if let (Some(org), 0) = (org, own) {
                    *through.entry(*org).or_default() += 1;
                }
            }
        }
        let listed: HashSet<i64> = self.top.iter().map(|h| h.id).collect();
        // Customers matched by themselves were listed already if they sort among the first.
        for hit in members.into_iter().map(Hit::from).filter(|h| !h.own && !listed.contains(&h.id)) {
            if self.top.len() < top_len || self.top.last().is_some_and(|last| hit < *last) {
                let at = self.top.partition_point(|h| *h < hit);
                self.top.insert(at, hit);
                self.top.truncate(top_len);
            }
        }
        true
    }

    /// The total and whether it is capped, from the customers matched by themselves
    /// (`own`, counted up to the cap + 1) and the others counted through their
    /// organization; `None` when not counted that way.
    fn count(&self, own: i64) -> Option<(i64, bool)> {
        let n = match &self.through {
            _ if own > COUNT_CAP => own,
            Some(through) => own + through.values().sum::<i64>(),
            None => return None,
        };
        Some((n.min(COUNT_CAP), n > COUNT_CAP))
    }
}

/// How many customers, in name order, a page of common matches is looked for among
/// before every match is sorted instead: at least 1% of them match, so the page is
/// usually among the first hundred times its end; a few milliseconds at most.
fn walked(page: Paging) -> i64 {
    (100 * (page.offset + page.limit)).clamp(2_000, 20_000)
}

/// A page of the customers in no organization, from the index of them that triggers keep
/// (`unassigned_customers`, migration 0020), and their count from its counter (0003).
async fn list_unassigned(db: &Db, page: Paging) -> Result<Listed, sqlx::Error> {
    // Each row carries the group's size, from its counter: one statement (on SQLite
    // each one is a round trip to the connection's thread). The index table holds exactly
    // the customers without a membership (triggers keep it in the same transactions as
    // the memberships), so the statement's snapshot needs no join to find none.
    const SQL: &str = concat!(
        "SELECT ",
        unassigned_columns!(),
        " FROM (SELECT customer_id, sort_name FROM unassigned_customers ORDER BY sort_name, customer_id LIMIT $1 OFFSET $2) u \
         JOIN customers c ON c.id = u.customer_id ORDER BY u.sort_name, u.customer_id"
    );
    // PostgreSQL: the same page from a function that keeps the planner on the index at
    // deep offsets (migration 0023), in the order it returns the rows.
    const PG_SQL: &str = concat!(
        "SELECT ",
        unassigned_columns!(),
        " FROM unassigned_page($1, $2) WITH ORDINALITY AS u (customer_id, n) \
         JOIN customers c ON c.id = u.customer_id ORDER BY u.n"
    );
    let sql = if db.dialect() == "postgres" { PG_SQL } else { SQL };
    let rows: Vec<Counted> = query(sql).bind(page.limit).bind(page.offset).fetch_all(db).await?;
    let total = match rows.first() {
        Some(first) => first.total,
        // Past the last page: no row carries the count.
        None => query("SELECT unassigned FROM customer_counts WHERE id = 1").scalar(db).await?,
    };
    Ok(Listed { items: rows.into_iter().map(|r| Customer::from(r.row)).collect(), total, total_capped: false })
}

/// The `WHERE` clause of a list of `group` (the filter's values first, then the
/// organization id) and the number of the next placeholder.
fn list_filter(group: Group, filter: Option<&Filter>) -> (String, usize) {
    let mut conditions: Vec<String> = Vec::new();
    let mut next = 1;
    if let Some(f) = filter {
        // Unassigned customers have no organization to be kept through.
        conditions.push(match group {
            Group::Unassigned => f.keeps_customer(),
            Group::Organization(_) => f.keeps_in_group(),
            Group::All => format!("({} OR {})", f.keeps_customer(), f.keeps_organization()),
        });
        next = f.next_param();
    }
    match group {
        Group::All => {}
        Group::Unassigned => conditions.push("m.customer_id IS NULL".into()),
        Group::Organization(_) => {
            conditions.push(format!("m.organization_id = ${next}"));
            next += 1;
        }
    }
    let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    (filter, next)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Customer>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    let row: Option<CustomerRow> = query(sql).bind(id).fetch_optional(db).await?;
    Ok(row.map(Customer::from))
}

/// The Customers settings that decide automatic association.
#[derive(Debug, Clone)]
pub struct Association {
    pub auto_create: bool,
    pub extra_public: Vec<String>,
}

/// What creating a customer did, besides creating them.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: i64,
    pub organization_created: bool,
    /// The invitation token (only its hash is stored), when one was sent.
    pub invitation_token: Option<String>,
}

pub struct Invitation<'a> {
    pub token: &'a str,
    pub token_hash: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub expires_at: i64,
}

/// Creates a customer and, in the same transaction, joins them to the
/// organization that owns their email domain, or creates one for it
/// (when the setting is on and the domain is not a public provider), and
/// queues the invitation.
pub async fn create(
    db: &Db,
    new: &NewCustomer,
    association: &Association,
    invitation: Option<Invitation<'_>>,
    agent: i64,
    now: i64,
) -> Result<Created, ApiError> {
    let email = new.email.as_str();
    let mut tx = db.begin_write().await?;
    let (id, organization_created) = insert(&mut tx, new, association, CreatedBy::Agent(agent), now).await?;
    let mut invitation_token = None;
    if let Some(inv) = &invitation {
        query("INSERT INTO invitations (token_hash, customer_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(inv.token_hash)
            .bind(id)
            .bind(now)
            .bind(inv.expires_at)
            .execute(&mut tx)
            .await?;
        query(
            "INSERT INTO outbox (kind, recipient, subject, body, customer_id, status, attempts, next_attempt_at, created_at) \
             VALUES ('invitation', $1, $2, $3, $4, 'pending', 0, $5, $5)",
        )
        .bind(email)
        .bind(inv.subject)
        .bind(inv.body)
        .bind(id)
        .bind(now)
        .execute(&mut tx)
        .await?;
        history::record(&mut tx, &[history::invitation_sent(id, Some(agent), email)], now).await?;
        invitation_token = Some(inv.token.to_string());
    }
    tx.commit().await?;
    Ok(Created { id, organization_created, invitation_token })
}

/// Inserts a customer in the caller's transaction and joins them to the
/// organization that owns their email domain, or creates one for it (when the
/// setting is on and the domain is not a public provider): the customer's id and
/// whether an organization was created. Used by [`create`] and by the portal's
/// self-registration, so both follow the same domain rules. The customer's history
/// starts with a `created` entry saying `by` whom and which organization they joined.
pub async fn insert(
    tx: &mut Tx,
    new: &NewCustomer,
    association: &Association,
    by: CreatedBy,
    now: i64,
) -> Result<(i64, bool), ApiError> {
    let email = new.email.as_str();
    let host = normalize_host(new.email.domain()).unwrap_or_else(|| new.email.domain().to_string());
    let candidates = candidate_claims(&host);
    // Never empty: the host itself is the first candidate.
    let claims_sql = format!(
        "SELECT domain, organization_id FROM organization_domains WHERE domain IN ({})",
        placeholders(1, candidates.len())
    );
    let auto_create = association.auto_create && !is_public_email_domain(&host, &association.extra_public);
    let sort_name = customer_sort_name(&new.first_name, &new.last_name, email);
    let taken: Option<i64> =
        query("SELECT id FROM customers WHERE email = $1").bind(email).optional_scalar(&mut *tx).await?;
    if taken.is_some() {
        return Err(email_taken());
    }
    let claims: Vec<(String, i64)> = query(claims_sql).bind_all(&candidates).fetch_all(&mut *tx).await?;
    let claims: Vec<(Domain, i64)> =
        claims.into_iter().filter_map(|(d, org)| Domain::parse(&d).ok().map(|d| (d, org))).collect();
    let matched = best_match(&host, claims.iter().map(|(d, _)| d))
        .and_then(|d| claims.iter().find(|(c, _)| c == d).map(|(_, org)| *org));
    let mut organization_created = false;
    let organization = match matched {
        Some(org) => Some(org),
        None if auto_create => match Domain::parse(&host) {
            Ok(domain) => {
                let existing: Option<i64> = query("SELECT id FROM organizations WHERE name_key = $1")
                    .bind(&host)
                    .optional_scalar(&mut *tx)
                    .await?;
                match existing {
                    Some(org) => {
                        // An organization already carries the domain's name: it gets the domain.
                        query("INSERT INTO organization_domains (domain, organization_id, root) VALUES ($1, $2, $3)")
                            .bind(domain.as_str())
                            .bind(org)
                            .bind(orgdesk_core::duplicates::domain_root(domain.as_str()).unwrap_or_default())
                            .execute(&mut *tx)
                            .await
                            .on_unique("email", email_just_taken)?;
                        Some(org)
                    }
                    None => {
                        organization_created = true;
                        let how = format!(" automatically for {}'s email domain", new.email.as_str());
                        let creation = organizations::Creation { agent: None, how: &how, say_domains: false };
                        Some(
                            organizations::insert(&mut *tx, &host, std::slice::from_ref(&domain), now, creation)
                                .await?,
                        )
                    }
                }
            }
            Err(_) => None,
        },
        None => None,
    };
    let id: i64 = query(
        "INSERT INTO customers (email, first_name, last_name, first_key, last_key, sort_name, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(email)
    .bind(&new.first_name)
    .bind(&new.last_name)
    .bind(new.first_name.to_lowercase())
    .bind(new.last_name.to_lowercase())
    .bind(&sort_name)
    .bind(&new.phone)
    .bind(now)
    .scalar(&mut *tx)
    .await
    .on_unique("email", email_just_taken)?;
    let mut joined = None;
    if let Some(org) = organization {
        query("INSERT INTO memberships (customer_id, organization_id) VALUES ($1, $2)")
            .bind(id)
            .bind(org)
            .execute(&mut *tx)
            .await?;
        let name: String = query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
            .bind(org)
            .scalar(&mut *tx)
            .await?;
        joined = Some(Joined { id: org, name, by_domain_rule: true, organization_created });
    }
    history::record(&mut *tx, &[history::created(id, by, joined.as_ref())], now).await?;
    Ok((id, organization_created))
}

/// The 409 of a customer created with the same email while this one was.
fn email_just_taken() -> String {
    "Someone else was just created with this email. Reload and try again.".into()
}

pub fn email_taken() -> ApiError {
    ApiError::conflict_on("email", "A customer with this email address already exists.")
}

pub struct Changes {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    pub phone: Option<String>,
}

/// Applies a partial update; `Ok(false)` when the customer does not exist.
pub async fn update(db: &Db, id: i64, changes: &Changes) -> Result<bool, ApiError> {
    let mut tx = db.begin_write().await?;
    let current: Option<(String, String, String, Option<i64>)> = query(
        "SELECT c.email, c.first_name, c.last_name, m.organization_id FROM customers c \
         LEFT JOIN memberships m ON m.customer_id = c.id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut tx)
    .await?;
    let Some((old_email, first, last, org)) = current else { return Ok(false) };
    let email = changes.email.clone().unwrap_or_else(|| old_email.clone());
    let first = changes.first_name.clone().unwrap_or(first);
    let last = changes.last_name.clone().unwrap_or(last);
    let other: Option<i64> = query("SELECT id FROM customers WHERE email = $1 AND id <> $2")
        .bind(&email)
        .bind(id)
        .optional_scalar(&mut tx)
        .await?;
    if other.is_some() {
        return Err(email_taken());
    }
    query(
        "UPDATE customers SET email = $1, first_name = $2, last_name = $3, first_key = $4, last_key = $5, sort_name = $6 WHERE id = $7",
    )
    .bind(&email)
    .bind(&first)
    .bind(&last)
    .bind(first.to_lowercase())
    .bind(last.to_lowercase())
    .bind(customer_sort_name(&first, &last, &email))
    .bind(id)
    .execute(&mut tx)
    .await
    .on_unique("email", email_just_taken)?;
    if email != old_email {
        // A new address is not verified, and links mailed to the old one stop working.
        query("UPDATE customers SET email_verified_at = NULL WHERE id = $1").bind(id).execute(&mut tx).await?;
        query("DELETE FROM customer_tokens WHERE customer_id = $1").bind(id).execute(&mut tx).await?;
    }
    if let Some(phone) = &changes.phone {
        query("UPDATE customers SET phone = $1 WHERE id = $2").bind(phone).bind(id).execute(&mut tx).await?;
    }
    if let Some(position) = &changes.position {
        if org.is_none() && !position.is_empty() {
            return Err(ApiError::invalid(
                "position",
                "A position needs an organization: move the customer into one first.",
            ));
        }
        query("UPDATE memberships SET position = $1 WHERE customer_id = $2")
            .bind(position)
            .bind(id)
            .execute(&mut tx)
            .await?;
        // The organization's panel shows positions: its version moves on.
        if let Some(org) = org {
            organization_history::bump_version(&mut tx, org, crate::time_fmt::now_ms()).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Deletes customer `id` (memberships, invitations; outbox rows keep their text),
/// recording it in the audit log in the same transaction. `Ok(false)` when there is
/// no such customer.
pub async fn delete(db: &Db, id: i64, actor: &Actor, now: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let found: Option<(String, String, String, Option<String>)> = query(
        "SELECT c.email, c.first_name, c.last_name, o.name FROM customers c \
         LEFT JOIN memberships m ON m.customer_id = c.id LEFT JOIN organizations o ON o.id = m.organization_id \
         WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut tx)
    .await?;
    let Some((email, first_name, last_name, organization)) = found else {
        return Ok(false);
    };
    let detail = json!({ "first_name": first_name, "last_name": last_name, "organization": organization });
    audit::record(
        &mut tx,
        &actor.entry(AuditAction::CustomerDeleted, AuditTarget::Customer, Some(id), email, detail),
        now,
    )
    .await?;
    query("DELETE FROM memberships WHERE customer_id = $1").bind(id).execute(&mut tx).await?;
    query("DELETE FROM invitations WHERE customer_id = $1").bind(id).execute(&mut tx).await?;
    query("UPDATE outbox SET customer_id = NULL WHERE customer_id = $1").bind(id).execute(&mut tx).await?;
    let n = query("DELETE FROM customers WHERE id = $1").bind(id).execute(&mut tx).await?;
    tx.commit().await?;
    Ok(n > 0)
}

/// Moves the customers into `organization` (or out of any), all or nothing. Their
/// open items (new, open, waiting) move with them; resolved and closed items keep
/// the organization they had. Each organization that gained or lost members gets
/// one `members_moved` history entry, and each customer moved an
/// `organization_changed` entry, in the same transaction. Writes run one at a time,
/// so the transaction is kept to few round trips: one read (per chunk of customers)
/// finds the target's name with the customers' current organizations and names,
/// the follows only managers have are dropped only for managers, and the move
/// itself with both histories goes as one statement on PostgreSQL
/// ([`Tx::execute_all`]), five on SQLite for a single customer.
pub async fn move_customers(
    db: &Db,
    ids: &[i64],
    organization: Option<i64>,
    agent: Option<i64>,
    via: MoveVia,
    now: i64,
) -> Result<Vec<MovedCustomer>, ApiError> {
    let mut tx = db.begin_write().await?;
    let moved = move_in(&mut tx, &MoveRequest { ids: ids.to_vec(), organization, agent, via, now }).await?;
    tx.commit().await?;
    Ok(moved)
}

/// One request to move customers (see [`move_customers`]).
#[derive(Debug, Clone)]
pub struct MoveRequest {
    pub ids: Vec<i64>,
    pub organization: Option<i64>,
    pub agent: Option<i64>,
    pub via: MoveVia,
    pub now: i64,
}

/// What one move request is answered.
pub type Moved = Result<Vec<MovedCustomer>, ApiError>;

/// Several requests' moves in one transaction (one commit), each answered as if it had
/// run alone, in order. Requests that move different customers are read together and
/// written together (one read and, on PostgreSQL, one write statement for all of them);
/// a request that moves a customer an earlier one moved starts a new run, which reads
/// what the runs before it wrote. A request refused (a customer or the organization
/// gone) writes nothing, and the others go on. When the database fails instead, nothing
/// of the batch is kept and each request runs again in a transaction of its own, so one
/// failure is answered to its request only; when the transaction could not even begin (the
/// turn to write or the write lock did not come in time), each is answered that failure
/// rather than made to wait as long again.
pub async fn move_batch(db: &Db, requests: &[MoveRequest]) -> Vec<Moved> {
    if requests.len() > 1 {
        match try_batch(db, requests).await {
            Ok(results) => return results,
            Err(BatchFailed::Begin(e)) => return requests.iter().map(|_| Err(ApiError::shared(&e))).collect(),
            Err(BatchFailed::Write(e)) => tracing::warn!(error = %e, "moves written together failed; each runs alone"),
        }
    }
    let mut results = Vec::with_capacity(requests.len());
    for r in requests {
        results.push(move_customers(db, &r.ids, r.organization, r.agent, r.via, r.now).await);
    }
    results
}

/// Why moves written together failed (nothing of them is kept).
enum BatchFailed {
    /// The write transaction did not begin.
    Begin(sqlx::Error),
    Write(sqlx::Error),
}

/// `requests` in one transaction.
async fn try_batch(db: &Db, requests: &[MoveRequest]) -> Result<Vec<Moved>, BatchFailed> {
    let mut tx = db.begin_write().await.map_err(BatchFailed::Begin)?;
    let results = write_runs(&mut tx, requests).await.map_err(BatchFailed::Write)?;
    tx.commit().await.map_err(BatchFailed::Write)?;
    Ok(results)
}

/// `requests` in the caller's transaction, in runs of requests that move different customers.
async fn write_runs(tx: &mut Tx, requests: &[MoveRequest]) -> Result<Vec<Moved>, sqlx::Error> {
    let mut results = Vec::with_capacity(requests.len());
    let mut run: Vec<&MoveRequest> = Vec::new();
    let mut in_run: HashSet<i64> = HashSet::new();
    for request in requests {
        if request.ids.iter().any(|id| in_run.contains(id)) {
            results.extend(move_run(tx, &run).await?);
            run.clear();
            in_run.clear();
        }
        in_run.extend(request.ids.iter().copied());
        run.push(request);
    }
    results.extend(move_run(tx, &run).await?);
    Ok(results)
}

/// [`move_customers`] in the caller's transaction.
async fn move_in(tx: &mut Tx, request: &MoveRequest) -> Result<Vec<MovedCustomer>, ApiError> {
    let mut results = move_run(tx, &[request]).await?;
    results.pop().unwrap_or_else(|| Ok(Vec::new()))
}

/// A customer to move, as read before the move.
#[derive(sqlx::FromRow)]
struct Found {
    /// `c` for a customer, `t` for a target organization (its id and name).
    kind: String,
    id: i64,
    organization_id: Option<i64>,
    role: Option<String>,
    name: String,
    organization_name: Option<String>,
}

/// Moves `run` (requests that move different customers) in the caller's transaction:
/// one read of every customer's organization and name and of the targets, then each
/// request's refusal or statements, and every accepted request's statements together.
/// `Err` when the database failed; a refused request is an `Ok(Err(..))` of its own.
async fn move_run(tx: &mut Tx, run: &[&MoveRequest]) -> Result<Vec<Moved>, sqlx::Error> {
    let ids: Vec<i64> = run.iter().flat_map(|r| r.ids.iter().copied()).collect();
    let mut targets: Vec<i64> = run.iter().filter_map(|r| r.organization).collect();
    targets.sort_unstable();
    targets.dedup();
    let mut customers: HashMap<i64, Found> = HashMap::with_capacity(ids.len());
    let mut target_names: HashMap<i64, String> = HashMap::new();
    for (i, chunk) in ids.chunks(moves::CHUNK).enumerate() {
        // The targets are read with the first chunk of customers.
        let asked: &[i64] = if i == 0 { &targets } else { &[] };
        let mut sql = format!(
            "SELECT 'c' AS kind, c.id, m.organization_id, m.role, {CUSTOMER_NAME} AS name, o.name AS organization_name \
             FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
             LEFT JOIN organizations o ON o.id = m.organization_id WHERE c.id IN ({})",
            placeholders(1, chunk.len())
        );
        if !asked.is_empty() {
            sql.push_str(&format!(
                " UNION ALL SELECT 't', t.id, CAST(NULL AS BIGINT), CAST(NULL AS TEXT), t.name, CAST(NULL AS TEXT) \
                 FROM organizations t WHERE t.deleted_at IS NULL AND t.id IN ({})",
                placeholders(chunk.len() + 1, asked.len())
            ));
        }
        let rows: Vec<Found> =
            query(sql).bind_all(chunk.iter().copied()).bind_all(asked.iter().copied()).fetch_all(&mut *tx).await?;
        for row in rows {
            if row.kind == "t" {
                target_names.insert(row.id, row.name);
            } else {
                customers.insert(row.id, row);
            }
        }
    }
    let mut results = Vec::with_capacity(run.len());
    let mut writes = Vec::new();
    let mut managers = Vec::new();
    for request in run {
        match plan_move(request, &customers, &target_names) {
            Ok(planned) => {
                writes.push(planned.writes);
                managers.extend(planned.managers);
                results.push(Ok(planned.moved));
            }
            Err(refused) => results.push(Err(refused)),
        }
    }
    if !managers.is_empty() {
        crate::db::portal_policy::drop_manager_follows(tx, &managers).await?;
    }
    tx.execute_all(moves::combined_statements(&writes, tx.dialect())).await?;
    Ok(results)
}

/// What one request of a run writes, once it is known to be accepted.
struct Planned {
    writes: moves::Writes,
    /// Managers who move: they lose the role and the follows it made.
    managers: Vec<i64>,
    moved: Vec<MovedCustomer>,
}

/// Checks `request` against what was read (`customers`, the live `targets` with their
/// names) and plans its statements: the move, the open items and both histories.
fn plan_move(
    request: &MoveRequest,
    customers: &HashMap<i64, Found>,
    targets: &HashMap<i64, String>,
) -> Result<Planned, ApiError> {
    let MoveRequest { ids, organization, agent, via, now } = request;
    let (organization, agent, via, now) = (*organization, *agent, *via, *now);
    let mut org_names: HashMap<i64, String> = HashMap::new();
    if let Some(org) = organization {
        let name = targets.get(&org).ok_or_else(|| {
            ApiError::NotFound("That organization no longer exists. Reload to see the current list.".into())
        })?;
        org_names.insert(org, name.clone());
    }
    let missing: Vec<String> = ids.iter().filter(|id| !customers.contains_key(id)).map(|id| id.to_string()).collect();
    if !missing.is_empty() {
        return Err(ApiError::invalid(
            "customer_ids",
            format!("These customers no longer exist: {}.", missing.join(", ")),
        ));
    }
    let mut found: Vec<&Found> = ids.iter().filter_map(|id| customers.get(id)).collect();
    found.sort_unstable_by_key(|f| f.id);
    // Customers already in the target keep their membership (and position) as they are.
    let changing: Vec<&Found> = found.iter().copied().filter(|f| f.organization_id != organization).collect();
    let managers = changing.iter().filter(|f| f.role.as_deref() == Some("manager")).map(|f| f.id).collect();
    // Both histories name the customers in id order.
    let all_changing: Vec<moves::Move> = changing.iter().map(|f| (f.id, f.organization_id)).collect();
    for f in &changing {
        if let (Some(org), Some(name)) = (f.organization_id, &f.organization_name) {
            org_names.insert(org, name.clone());
        }
    }
    let customer_names: HashMap<i64, String> = found.iter().map(|f| (f.id, f.name.clone())).collect();
    let organization_entries = moves::move_entries(&all_changing, organization, agent, &org_names, &customer_names);
    let customer_entries = history::move_entries(&all_changing, organization, agent, via, &org_names);
    let writes = moves::Writes { moves: all_changing, organization, organization_entries, customer_entries, now };
    let moved =
        found.iter().map(|f| MovedCustomer { customer_id: f.id, from_organization_id: f.organization_id }).collect();
    Ok(Planned { writes, managers, moved })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_list_has_no_filter_and_pages_from_the_first_placeholder() {
        assert_eq!(list_filter(Group::All, None), (String::new(), 1));
        assert_eq!(list_filter(Group::Unassigned, None), (" WHERE m.customer_id IS NULL".to_string(), 1));
        assert_eq!(list_filter(Group::Organization(4), None), (" WHERE m.organization_id = $1".to_string(), 2));
    }

    #[test]
    fn a_filter_takes_the_first_placeholders_and_keeps_organizations_only_in_organizations() {
        let search = Filter::for_tests(Some("ac"), None);
        let (filter, next) = list_filter(Group::Organization(4), Some(&search));
        assert!(filter.contains(&search.keeps_in_group()), "{filter}");
        let (all, _) = list_filter(Group::All, Some(&search));
        assert!(all.contains(&format!(" OR {})", search.keeps_organization())), "{all}");
        assert!(filter.ends_with(" AND m.organization_id = $3"), "{filter}");
        assert_eq!(next, 4);
        let (filter, next) = list_filter(Group::Unassigned, Some(&search));
        assert!(!filter.contains("organization_id IN"), "{filter}");
        assert!(filter.ends_with(" AND m.customer_id IS NULL"), "{filter}");
        assert_eq!(next, 3);
        let project = Filter::for_tests(Some("acme"), Some(9));
        assert_eq!(list_filter(Group::Organization(4), Some(&project)).1, 5);
    }
}
