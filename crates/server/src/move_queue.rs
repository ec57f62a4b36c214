//! Moves of customers written together: writes run one at a time, so under many
//! concurrent moves each one waited for every move before it to commit on its own.
//! Requests queue here instead; one task takes all that wait (up to a bound) and
//! writes them in one transaction with one commit ([`store::move_batch`]), each
//! answered as if it had run alone. A move with none waiting before it runs at once.

use std::sync::OnceLock;

use orgdesk_core::api::MovedCustomer;
use tokio::sync::{mpsc, oneshot};

use crate::db::customers::{self as store, MoveRequest, Moved};
use crate::db::Db;
use crate::error::ApiError;

/// How many requests wait at most; past it a request waits to be queued.
const QUEUE: usize = 1024;
/// How many requests one transaction writes at most.
const MAX_BATCH: usize = 64;
/// How many customers one transaction moves at most (a request alone may move more).
const MAX_BATCH_CUSTOMERS: usize = 2_000;

struct Job {
    request: MoveRequest,
    reply: oneshot::Sender<Moved>,
}

/// The queue of one server process; its task starts with the first move.
#[derive(Default)]
pub struct MoveQueue {
    sender: OnceLock<mpsc::Sender<Job>>,
}

impl MoveQueue {
    /// Moves as [`store::move_customers`] does, written with the moves queued meanwhile.
    pub async fn run(&self, db: &Db, request: MoveRequest) -> Result<Vec<MovedCustomer>, ApiError> {
        let sender = self.sender.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            tokio::spawn(write_batches(db.clone(), receiver));
            sender
        });
        let (reply, answer) = oneshot::channel();
        sender
            .send(Job { request, reply })
            .await
            .map_err(|_| ApiError::Internal("the move queue has stopped".into()))?;
        answer.await.map_err(|_| ApiError::Internal("the move queue dropped a move".into()))?
    }
}

/// Takes the first waiting request and every one queued behind it (up to the bounds),
/// writes them together and answers each.
async fn write_batches(db: Db, mut receiver: mpsc::Receiver<Job>) {
    while let Some(first) = receiver.recv().await {
        let mut customers = first.request.ids.len();
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH && customers < MAX_BATCH_CUSTOMERS {
            let Ok(job) = receiver.try_recv() else { break };
            customers += job.request.ids.len();
            jobs.push(job);
        }
        let (requests, replies): (Vec<MoveRequest>, Vec<oneshot::Sender<Moved>>) =
            jobs.into_iter().map(|j| (j.request, j.reply)).unzip();
        if requests.len() > 1 {
            tracing::debug!(requests = requests.len(), customers, "moves written together");
        }
        let results = store::move_batch(&db, &requests).await;
        for (reply, result) in replies.into_iter().zip(results) {
            // A request whose client went away is not answered.
            let _ = reply.send(result);
        }
    }
}
