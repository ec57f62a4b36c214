//! CSV import storage: uploaded files, batches (Import history), presets, and the
//! reads ([`load_context`]) the plan needs. Planning is in [`plan`], writing an
//! import in [`write`], undoing one in [`undo`].

pub mod plan;
pub mod undo;
pub mod write;

use std::collections::{BTreeSet, HashMap, HashSet};

use orgdesk_core::api::customers::Customer;
use orgdesk_core::api::import::{
    BatchCounts, BatchStatus, CreateImportPresetRequest, ExistingMode, ImportBatch, ImportOptions, ImportPreset,
    PresetColumn,
};
use orgdesk_core::api::organization::PropertyDefinition;
use orgdesk_core::customer::organization_name_key;
use orgdesk_core::domain::{candidate_claims, normalize_host};
use orgdesk_core::import::row::PropertyDef;
use orgdesk_core::portal::OrgItemAccess;

use self::plan::{Context, ExistingCustomer, ExistingOrg};
use crate::db::customers::{CustomerRow as ListedCustomer, SELECT};
use crate::db::tx::Exec;
use crate::db::{decode_word, placeholders, query, Db, OnUnique, Tx};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

/// Rows per multi-row statement (PostgreSQL binds at most 65,535 values, SQLite 32,766).
pub const CHUNK: usize = 500;

/// Where a read runs: on the pool (the dry run) or inside the import's transaction.
pub enum Src<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl Src<'_> {
    pub fn on(&mut self) -> Exec<'_> {
        match self {
            Src::Db(db) => Exec::from(*db),
            Src::Tx(tx) => Exec::from(&mut **tx),
        }
    }
}

// ---------------------------------------------------------------- uploads

/// An uploaded file as stored.
pub struct StoredUpload {
    pub id: i64,
    pub agent_id: i64,
    pub file_name: String,
    pub size: i64,
    pub content: Vec<u8>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// How many uploads an agent keeps: the oldest goes when a newer one comes (each may be
/// 32 MiB; storage stays bounded however many files an agent sends).
pub const UPLOADS_KEPT_PER_AGENT: i64 = 5;

/// Stores a file; expired uploads of anyone, and the agent's uploads beyond the newest
/// [`UPLOADS_KEPT_PER_AGENT`], are removed in the same transaction.
pub async fn insert_upload(
    db: &Db,
    agent: i64,
    file_name: &str,
    content: &[u8],
    now: i64,
    expires_at: i64,
) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    query("DELETE FROM import_uploads WHERE expires_at <= $1").bind(now).execute(&mut tx).await?;
    let id: i64 = query(
        "INSERT INTO import_uploads (agent_id, file_name, size, content, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(agent)
    .bind(file_name)
    .bind(content.len() as i64)
    .bind(content)
    .bind(now)
    .bind(expires_at)
    .scalar(&mut tx)
    .await?;
    query(
        "DELETE FROM import_uploads WHERE agent_id = $1 AND id NOT IN \
         (SELECT id FROM import_uploads WHERE agent_id = $1 ORDER BY id DESC LIMIT $2)",
    )
    .bind(agent)
    .bind(UPLOADS_KEPT_PER_AGENT)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Agent `agent`'s upload `id`, unless expired.
pub async fn upload(db: &Db, agent: i64, id: i64, now: i64) -> Result<Option<StoredUpload>, sqlx::Error> {
    type UploadRow = (i64, i64, String, i64, Vec<u8>, i64, i64);
    let row: Option<UploadRow> = query(
        "SELECT id, agent_id, file_name, size, content, created_at, expires_at FROM import_uploads \
         WHERE id = $1 AND agent_id = $2 AND expires_at > $3",
    )
    .bind(id)
    .bind(agent)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, agent_id, file_name, size, content, created_at, expires_at)| StoredUpload {
        id,
        agent_id,
        file_name,
        size,
        content,
        created_at,
        expires_at,
    }))
}

// ---------------------------------------------------------------- context

fn chunks<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    items.chunks(CHUNK)
}

/// What the plan needs to know, for these emails, organization names (and email
/// hosts, which auto-created organizations are named after) and domains.
/// Sets, so that a file naming one organization on 100,000 rows holds its name once.
#[derive(Default)]
pub struct Wanted {
    pub emails: BTreeSet<String>,
    pub org_names: BTreeSet<String>,
    pub domains: BTreeSet<String>,
    pub parents: bool,
}

impl Wanted {
    /// Adds each email's host as an organization name and its claims as domains.
    pub fn with_hosts(mut self) -> Wanted {
        let mut hosts = HashSet::new();
        for e in &self.emails {
            if let Some((_, h)) = e.rsplit_once('@') {
                hosts.insert(normalize_host(h).unwrap_or_else(|| h.to_string()));
            }
        }
        for h in hosts {
            self.domains.extend(candidate_claims(&h));
            self.org_names.insert(h);
        }
        self
    }
}

#[derive(sqlx::FromRow)]
struct CustomerRow {
    id: i64,
    email: String,
    first_name: String,
    last_name: String,
    phone: String,
    organization_id: Option<i64>,
    position: Option<String>,
    role: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: i64,
    name: String,
    parent_id: Option<i64>,
    portal_visibility: Option<String>,
    version: i64,
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Reads what the rows touch (see [`Wanted`]), in chunks of [`CHUNK`] keys.
pub async fn load_context(src: &mut Src<'_>, wanted: Wanted) -> Result<Context, sqlx::Error> {
    let mut ctx = Context::default();
    let definitions: Vec<PropertyDefinition> = {
        let rows: Vec<(i64, String, String, bool, String, i64)> = query(
            "SELECT id, label, kind, required, options, position FROM organization_property_definitions \
             ORDER BY position, id",
        )
        .fetch_all(src.on())
        .await?;
        rows.into_iter()
            .map(|(id, label, kind, required, options, position)| {
                Ok(PropertyDefinition {
                    id,
                    label,
                    kind: decode_word(&kind)?,
                    required,
                    options: serde_json::from_str(&options).map_err(crate::db::decode_err)?,
                    position,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?
    };
    ctx.properties = definitions.iter().map(|d| PropertyDef { id: d.id, def: d.rules() }).collect();
    let settings: Vec<(String, String)> =
        query("SELECT key, value FROM settings WHERE key IN ('auto_create_organizations', 'extra_public_domains')")
            .fetch_all(src.on())
            .await?;
    ctx.auto_create = true;
    for (key, value) in settings {
        match key.as_str() {
            "auto_create_organizations" => ctx.auto_create = value == "true",
            _ => ctx.extra_public = serde_json::from_str(&value).unwrap_or_default(),
        }
    }
    let policy = crate::db::access::policy(src.on()).await?;
    ctx.default_visibility = policy.organization_items;

    let emails: Vec<String> = wanted.emails.into_iter().collect();
    for chunk in chunks(&emails) {
        let sql = format!(
            "SELECT c.id, c.email, c.first_name, c.last_name, c.phone, m.organization_id, m.position, m.role \
             FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id WHERE c.email IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<CustomerRow> = query(sql).bind_all(chunk.iter().map(String::as_str)).fetch_all(src.on()).await?;
        for r in rows {
            ctx.customers.insert(
                r.email.clone(),
                ExistingCustomer {
                    id: r.id,
                    email: r.email,
                    first_name: r.first_name,
                    last_name: r.last_name,
                    phone: r.phone,
                    organization: r.organization_id,
                    position: r.position.unwrap_or_default(),
                    manager: r.role.as_deref() == Some("manager"),
                },
            );
        }
    }
    // Organizations by name, and those the customers are in.
    let keys = dedup(wanted.org_names.iter().map(|n| organization_name_key(n)).collect());
    let mut org_rows: Vec<OrgRow> = Vec::new();
    for chunk in chunks(&keys) {
        let sql = format!(
            "SELECT id, name, parent_id, portal_visibility, version FROM organizations WHERE name_key IN ({})",
            placeholders(1, chunk.len())
        );
        org_rows.extend(query(sql).bind_all(chunk.iter().map(String::as_str)).fetch_all::<OrgRow>(src.on()).await?);
    }
    let member_orgs: Vec<i64> = {
        let known: HashSet<i64> = org_rows.iter().map(|o| o.id).collect();
        let mut ids: Vec<i64> =
            ctx.customers.values().filter_map(|c| c.organization).filter(|id| !known.contains(id)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    for chunk in member_orgs.chunks(CHUNK) {
        let sql = format!(
            "SELECT id, name, parent_id, portal_visibility, version FROM organizations WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        org_rows.extend(query(sql).bind_all(chunk.iter().copied()).fetch_all::<OrgRow>(src.on()).await?);
    }
    let ids: Vec<i64> = org_rows.iter().map(|o| o.id).collect();
    let mut domains_of: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT organization_id, domain FROM organization_domains WHERE organization_id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(i64, String)> = query(sql).bind_all(chunk.iter().copied()).fetch_all(src.on()).await?;
        for (org, d) in rows {
            domains_of.entry(org).or_default().push(d);
        }
        let sql = format!(
            "SELECT organization_id, definition_id, value FROM organization_property_values \
             WHERE organization_id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(i64, i64, String)> = query(sql).bind_all(chunk.iter().copied()).fetch_all(src.on()).await?;
        for (org, def, value) in rows {
            let value = serde_json::from_str(&value).map_err(crate::db::decode_err)?;
            ctx.org_properties.insert((org, def), value);
        }
    }
    for o in org_rows {
        let key = organization_name_key(&o.name);
        if let Some(p) = o.parent_id {
            ctx.parents.insert(o.id, p);
        }
        ctx.org_keys.insert(o.id, key.clone());
        ctx.claim_owners.insert(o.id, o.name.clone());
        ctx.organizations.insert(
            key,
            ExistingOrg {
                id: o.id,
                name: o.name,
                parent: o.parent_id,
                visibility: o.portal_visibility.as_deref().map(decode_word::<OrgItemAccess>).transpose()?,
                domains: domains_of.remove(&o.id).unwrap_or_default(),
                version: o.version,
            },
        );
    }
    // Claims a row may meet: the file's domains and every email host's candidates.
    let domains: Vec<String> = wanted.domains.into_iter().collect();
    for chunk in chunks(&domains) {
        let sql = format!(
            "SELECT d.domain, o.id, o.name FROM organization_domains d JOIN organizations o ON o.id = d.organization_id \
             WHERE d.domain IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(String, i64, String)> =
            query(sql).bind_all(chunk.iter().map(String::as_str)).fetch_all(src.on()).await?;
        for (d, org, name) in rows {
            ctx.claims.insert(d, org);
            ctx.claim_owners.entry(org).or_insert(name);
        }
    }
    if wanted.parents {
        let rows: Vec<(i64, i64)> =
            query("SELECT id, parent_id FROM organizations WHERE parent_id IS NOT NULL").fetch_all(src.on()).await?;
        ctx.parents.extend(rows);
    }
    if policy.project_items {
        let rows: Vec<i64> =
            query("SELECT DISTINCT organization_id FROM project_followers WHERE organization_id IS NOT NULL")
                .scalars(src.on())
                .await?;
        ctx.shared = rows.into_iter().collect();
    }
    Ok(ctx)
}

// ---------------------------------------------------------------- batches

#[derive(sqlx::FromRow)]
struct BatchRow {
    id: i64,
    agent_id: Option<i64>,
    agent_name: String,
    file_name: String,
    options: String,
    status: String,
    failure: String,
    counts: String,
    created_at: i64,
    finished_at: Option<i64>,
    undone_at: Option<i64>,
    undone_by: Option<String>,
    progress_done: i64,
    progress_total: i64,
    heartbeat_at: Option<i64>,
}

const BATCH_COLUMNS: &str = "id, agent_id, agent_name, file_name, options, status, failure, counts, created_at, \
     finished_at, undone_at, undone_by, progress_done, progress_total, heartbeat_at";

/// How often a process running an import on PostgreSQL writes its progress.
pub const HEARTBEAT_MS: u64 = 2_000;
/// A running batch no process has written for this long was interrupted.
pub const HEARTBEAT_STALE_MS: i64 = 60_000;

/// Whether a heartbeat written at `at` still shows a process working on the batch.
fn alive(at: Option<i64>, now: i64) -> bool {
    at.is_some_and(|at| now - at < HEARTBEAT_STALE_MS)
}

/// A batch as the API shows it. `running` is its progress when this process runs it;
/// else the progress another process wrote, while its heartbeat is fresh. A batch
/// stored as running that no process runs was interrupted (nothing was written).
fn batch_of(r: BatchRow, running: Option<(i64, i64)>, viewer: i64, admin: bool) -> Result<ImportBatch, sqlx::Error> {
    let elsewhere = alive(r.heartbeat_at, crate::time_fmt::now_ms()).then_some((r.progress_done, r.progress_total));
    let status = match r.status.as_str() {
        "running" => match running.or(elsewhere) {
            Some((done, total)) => BatchStatus::Running { done, total },
            None => BatchStatus::Failed {
                reason: "The import was interrupted (the server stopped); nothing was written.".into(),
            },
        },
        "done" => BatchStatus::Done,
        "failed" => BatchStatus::Failed { reason: r.failure.clone() },
        "undone" => BatchStatus::Undone,
        other => {
            return Err(crate::db::decode_err(orgdesk_core::word::UnknownWord {
                word: other.into(),
                expected: "running, done, failed, undone".into(),
            }))
        }
    };
    let can_undo = status == BatchStatus::Done && (admin || r.agent_id == Some(viewer));
    Ok(ImportBatch {
        id: r.id,
        file_name: r.file_name,
        agent_id: r.agent_id,
        agent: r.agent_name,
        created_at: rfc3339(r.created_at),
        finished_at: r.finished_at.map(rfc3339),
        status,
        counts: serde_json::from_str(&r.counts).unwrap_or_default(),
        options: serde_json::from_str(&r.options).map_err(crate::db::decode_err)?,
        undone_at: r.undone_at.map(rfc3339),
        undone_by: r.undone_by,
        can_undo,
    })
}

/// Records a batch as running (committed at once, so Import history shows it).
pub async fn start_batch(
    db: &Db,
    agent: i64,
    agent_name: &str,
    file_name: &str,
    options: &ImportOptions,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let id = query(
        "INSERT INTO import_batches (agent_id, agent_name, file_name, options, status, counts, created_at, \
         heartbeat_at) VALUES ($1, $2, $3, $4, 'running', $5, $6, $6) RETURNING id",
    )
    .bind(agent)
    .bind(agent_name)
    .bind(file_name)
    .bind(serde_json::to_string(options).unwrap_or_default())
    .bind(serde_json::to_string(&BatchCounts::default()).unwrap_or_default())
    .bind(now)
    .scalar(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes a running batch's progress and heartbeat (outside its import's transaction,
/// for the other processes of a PostgreSQL deployment).
pub async fn heartbeat(db: &Db, id: i64, done: i64, total: i64, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    query(
        "UPDATE import_batches SET progress_done = $1, progress_total = $2, heartbeat_at = $3 \
         WHERE id = $4 AND status = 'running'",
    )
    .bind(done)
    .bind(total)
    .bind(now)
    .bind(id)
    .execute(&mut tx)
    .await?;
    tx.commit().await
}

/// Whether a process (this one or another) is running an import now, by the heartbeats.
pub async fn running_anywhere(db: &Db, now: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = query("SELECT COUNT(*) FROM import_batches WHERE status = 'running' AND heartbeat_at > $1")
        .bind(now - HEARTBEAT_STALE_MS)
        .scalar(db)
        .await?;
    Ok(n > 0)
}

/// Marks a running batch failed (its transaction rolled back).
pub async fn fail_batch(db: &Db, id: i64, reason: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    query("UPDATE import_batches SET status = 'failed', failure = $1, finished_at = $2 WHERE id = $3 AND status = 'running'")
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}

pub async fn batch(
    db: &Db,
    id: i64,
    running: Option<(i64, i64)>,
    viewer: i64,
    admin: bool,
) -> Result<Option<ImportBatch>, sqlx::Error> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM import_batches WHERE id = $1");
    let row: Option<BatchRow> = query(sql).bind(id).fetch_optional(db).await?;
    row.map(|r| batch_of(r, running, viewer, admin)).transpose()
}

/// A page of batches, newest first; `running` gives the progress of those running here.
pub async fn batches(
    db: &Db,
    offset: i64,
    limit: i64,
    running: &HashMap<i64, (i64, i64)>,
    viewer: i64,
    admin: bool,
) -> Result<(Vec<ImportBatch>, i64), sqlx::Error> {
    let total: i64 = query("SELECT COUNT(*) FROM import_batches").scalar(db).await?;
    let sql = format!("SELECT {BATCH_COLUMNS} FROM import_batches ORDER BY id DESC LIMIT $1 OFFSET $2");
    let rows: Vec<BatchRow> = query(sql).bind(limit).bind(offset).fetch_all(db).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let progress = running.get(&r.id).copied();
            batch_of(r, progress, viewer, admin)
        })
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// The customers batch `id` created or changed that still exist: those it created
/// first, each in the order of the file.
pub async fn batch_customers(db: &Db, id: i64, offset: i64, limit: i64) -> Result<(Vec<Customer>, i64), sqlx::Error> {
    const OF_BATCH: &str = " JOIN import_changes ch ON ch.target_id = c.id \
        WHERE ch.batch_id = $1 AND ch.kind IN ('customer_created', 'customer_updated')";
    let sql = format!("{SELECT}{OF_BATCH} ORDER BY ch.kind, ch.id LIMIT $2 OFFSET $3");
    let rows: Vec<ListedCustomer> = query(sql).bind(id).bind(limit).bind(offset).fetch_all(db).await?;
    let total: i64 = query(format!("SELECT COUNT(*) FROM customers c{OF_BATCH}")).bind(id).scalar(db).await?;
    Ok((rows.into_iter().map(Customer::from).collect(), total))
}

// ---------------------------------------------------------------- presets

fn preset_of(
    (id, name, columns, existing, create_organizations, created_at): (i64, String, String, String, bool, i64),
) -> Result<ImportPreset, sqlx::Error> {
    let columns: Vec<PresetColumn> = serde_json::from_str(&columns).map_err(crate::db::decode_err)?;
    let existing = ExistingMode::ALL
        .into_iter()
        .find(|m| existing_word(*m) == existing)
        .ok_or_else(|| crate::db::decode_err(std::fmt::Error))?;
    Ok(ImportPreset { id, name, columns, existing, create_organizations, created_at: rfc3339(created_at) })
}

/// The stored word of a mode (its serde name).
pub fn existing_word(mode: ExistingMode) -> &'static str {
    match mode {
        ExistingMode::Skip => "skip",
        ExistingMode::FillEmpty => "fill_empty",
        ExistingMode::Overwrite => "overwrite",
    }
}

const PRESET_COLUMNS: &str = "id, name, columns, existing, create_organizations, created_at";

pub async fn presets(db: &Db) -> Result<Vec<ImportPreset>, sqlx::Error> {
    let sql = format!("SELECT {PRESET_COLUMNS} FROM import_presets ORDER BY name_key");
    let rows: Vec<(i64, String, String, String, bool, i64)> = query(sql).fetch_all(db).await?;
    rows.into_iter().map(preset_of).collect()
}

/// Saves a preset (name already checked); 409 on `name` when the name is taken.
pub async fn create_preset(
    db: &Db,
    name: &str,
    req: &CreateImportPresetRequest,
    agent: i64,
    now: i64,
) -> Result<ImportPreset, ApiError> {
    let taken = || ApiError::conflict_on("name", format!("A preset named {name} already exists."));
    let key = name.to_lowercase();
    let mut tx = db.begin_write().await?;
    let exists: Option<i64> =
        query("SELECT id FROM import_presets WHERE name_key = $1").bind(&key).optional_scalar(&mut tx).await?;
    if exists.is_some() {
        return Err(taken());
    }
    let sql = format!(
        "INSERT INTO import_presets (name, name_key, columns, existing, create_organizations, agent_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {PRESET_COLUMNS}"
    );
    let row: (i64, String, String, String, bool, i64) = query(sql)
        .bind(name)
        .bind(&key)
        .bind(serde_json::to_string(&req.columns).unwrap_or_default())
        .bind(existing_word(req.existing))
        .bind(req.create_organizations)
        .bind(agent)
        .bind(now)
        .fetch_one(&mut tx)
        .await
        .on_unique("name", || format!("A preset named {name} already exists."))?;
    tx.commit().await?;
    Ok(preset_of(row)?)
}

pub async fn delete_preset(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let n = query("DELETE FROM import_presets WHERE id = $1").bind(id).execute(&mut tx).await?;
    tx.commit().await?;
    Ok(n > 0)
}

/// The word stored for a member role.
pub fn role_word(manager: bool) -> &'static str {
    if manager {
        "manager"
    } else {
        "member"
    }
}
