//! Following customers without webhooks (a desktop app has no public URL): poll each followed
//! customer with backoff — faster while its detail is open — diff its `kyc`, and record each
//! change under the webhook event's own name in a timeline.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::locks::lock;

/// Poll interval while the customer's detail is open.
pub const OPEN_INTERVAL: Duration = Duration::from_secs(2);
/// Poll interval for the other followed customers.
pub const BACKGROUND_INTERVAL: Duration = Duration::from_secs(20);
/// Poll interval for a customer in a final state (active or denied) that is not open: nothing
/// more happens to its registration, only offers may change.
pub const FINAL_INTERVAL: Duration = Duration::from_secs(600);
/// Poll interval for a customer the agent has not opened for [`LATELY`] (or ever: registered
/// by the drafts' sync): its news can wait a few minutes, and a thousand of them polled every
/// 20 s would throttle the partner's client id for every agent.
pub const QUIET_INTERVAL: Duration = Duration::from_secs(300);
/// How long after the agent last opened a customer it counts as opened lately.
pub const LATELY: Duration = Duration::from_secs(1800);
/// Most customers polled in one round of the poller (a round every 500 ms): after a sync of
/// a thousand drafts, the followed customers are polled in turn at ≈8 requests a second
/// instead of all at once.
pub const MAX_POLLS_PER_ROUND: usize = 4;
/// Longest wait after repeated failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// One line of a customer's timeline.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    pub at: String,
    /// `customer.created`, `customer.kyc_updated`, `customer.under_review`, `customer.active`,
    /// `credit_offer.available`, `customer.corrected`.
    pub event: String,
    /// The KYC item (Dinie's label), for `customer.kyc_updated`.
    pub item: Option<String>,
    /// What was sent for it (`cnh`, `selfie`, `ccmei`…), for the page's short name of it.
    pub kind: Option<String>,
    /// Its new status.
    pub status: Option<String>,
    /// The reviewer's message.
    pub message: Option<String>,
}

impl TimelineEntry {
    fn new(event: &str) -> Self {
        Self {
            at: chrono::Utc::now().to_rfc3339(),
            event: event.into(),
            item: None,
            kind: None,
            status: None,
            message: None,
        }
    }
}

/// What changed between two states of a customer, as timeline entries.
pub fn diff(before: &dinie::Customer, after: &dinie::Customer) -> Vec<TimelineEntry> {
    let mut out = Vec::new();
    for req in &after.kyc {
        let old = before
            .kyc
            .iter()
            .find(|k| k.requirement_id == req.requirement_id);
        let state = requirement_state(req);
        if old.map(requirement_state) != Some(state) && !(old.is_none() && state == "pending") {
            out.push(TimelineEntry {
                item: Some(req.label.clone()),
                kind: req.submitted.as_ref().map(|s| s.evidence_type.to_string()),
                status: Some(state.to_owned()),
                message: req
                    .submitted
                    .as_ref()
                    .filter(|_| state == "rejected")
                    .and_then(|s| s.review_reason.clone()),
                ..TimelineEntry::new("customer.kyc_updated")
            });
        }
    }
    if before.status != after.status {
        use dinie::CustomerStatus as S;
        match (&before.status, &after.status) {
            (S::Creating, S::PendingKyc) => {
                out.push(TimelineEntry::new("customer.requirements_listed"))
            }
            (_, S::UnderReview) => out.push(TimelineEntry::new("customer.under_review")),
            (S::UnderReview, S::PendingKyc) => {
                out.push(TimelineEntry::new("customer.review_returned"))
            }
            (_, S::Active) => {
                out.push(TimelineEntry::new("customer.active"));
                out.push(TimelineEntry::new("credit_offer.available"));
            }
            (_, S::Denied) => out.push(TimelineEntry::new("customer.denied")),
            _ => {}
        }
    }
    out
}

/// A requirement's progress in one word, as the timeline and the page name it: `pending`
/// (nothing sent), `partial` (a part missing), `submitted`, `accepted`, `rejected`.
pub fn requirement_state(req: &dinie::KycRequirement) -> &'static str {
    match &req.submitted {
        None => "pending",
        Some(_) if req.is_rejected() => "rejected",
        Some(_) if req.is_accepted() => "accepted",
        Some(_) if req.is_complete() => "submitted",
        Some(_) => "partial",
    }
}

struct Followed {
    last: dinie::Customer,
    timeline: Vec<TimelineEntry>,
    next_poll: Instant,
    failures: u32,
    /// When the agent last opened its detail (never: `None`).
    opened_at: Option<Instant>,
}

/// The followed customers and their timelines.
#[derive(Default)]
pub struct Follower {
    customers: Mutex<HashMap<String, Followed>>,
    open: Mutex<Option<String>>,
    /// Told when who is followed, or how soon, changed: the follow loop sleeps until the next
    /// poll falls due or this, so an idle app does not wake up to find nothing to do.
    changed: tokio::sync::Notify,
}

/// A change worth telling the agent about with a desktop notification. It names no borrower
/// and quotes no reviewer: notifications land in the OS history and on the lock screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// A customer is active.
    Activated,
    /// A requirement (its label) was rejected; `kind` is what was sent for it (`cnh`, …).
    Rejected { item: String, kind: Option<String> },
    /// A customer was denied.
    Denied,
}

impl Follower {
    /// Starts following `customer` (registered or opened by the agent).
    pub fn follow(&self, customer: &dinie::Customer, created: bool) {
        lock(&self.customers)
            .entry(customer.id.to_string())
            .or_insert_with(|| Followed {
                last: customer.clone(),
                timeline: if created {
                    vec![TimelineEntry::new("customer.created")]
                } else {
                    Vec::new()
                },
                // Not opened yet (the detail, when it opens, polls it at once).
                next_poll: Instant::now() + QUIET_INTERVAL,
                failures: 0,
                opened_at: None,
            });
        self.changed.notify_one();
    }

    /// Marks which detail is open (polled faster), or none.
    pub fn set_open(&self, id: Option<String>) {
        if let Some(id) = &id {
            if let Some(f) = lock(&self.customers).get_mut(id) {
                f.next_poll = Instant::now() + OPEN_INTERVAL;
                f.opened_at = Some(Instant::now());
            }
        }
        *lock(&self.open) = id;
        self.changed.notify_one();
    }

    /// The customer's timeline, newest last.
    pub fn timeline(&self, id: &str) -> Vec<TimelineEntry> {
        lock(&self.customers)
            .get(id)
            .map(|f| f.timeline.clone())
            .unwrap_or_default()
    }

    /// Adds an entry the app itself caused (a correction sent).
    pub fn record(&self, id: &str, event: &str) {
        if let Some(f) = lock(&self.customers).get_mut(id) {
            f.timeline.push(TimelineEntry::new(event));
        }
    }

    /// Ids due for a poll now.
    pub fn due(&self) -> Vec<String> {
        let now = Instant::now();
        let open = lock(&self.open).clone();
        let map = lock(&self.customers);
        let mut due: Vec<(&String, Instant)> = map
            .iter()
            .filter(|(_, f)| f.next_poll <= now)
            .map(|(id, f)| (id, f.next_poll))
            .collect();
        // The open detail first, then the longest overdue.
        due.sort_by_key(|(id, at)| (Some(*id) != open.as_ref(), *at));
        due.into_iter()
            .take(MAX_POLLS_PER_ROUND)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// When the next poll falls due, if anyone is followed.
    pub fn next_due(&self) -> Option<Instant> {
        lock(&self.customers).values().map(|f| f.next_poll).min()
    }

    /// Resolves when who is followed or how soon changed (now or since the last wait).
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    /// Records a fresh state; returns the new timeline entries and notices.
    pub fn update(&self, fresh: &dinie::Customer) -> (Vec<TimelineEntry>, Vec<Notice>) {
        let open = lock(&self.open).clone();
        let mut map = lock(&self.customers);
        let id = fresh.id.to_string();
        let Some(f) = map.get_mut(&id) else {
            return (Vec::new(), Vec::new());
        };
        let entries = diff(&f.last, fresh);
        let mut notices = Vec::new();
        for e in &entries {
            match (e.event.as_str(), e.status.as_deref()) {
                ("customer.active", _) => notices.push(Notice::Activated),
                ("customer.denied", _) => notices.push(Notice::Denied),
                ("customer.kyc_updated", Some("rejected")) => notices.push(Notice::Rejected {
                    item: e.item.clone().unwrap_or_default(),
                    kind: e.kind.clone(),
                }),
                _ => {}
            }
        }
        f.timeline.extend(entries.iter().cloned());
        f.last = fresh.clone();
        f.failures = 0;
        let interval = if open.as_deref() == Some(id.as_str()) {
            OPEN_INTERVAL
        } else if fresh.status.is_final() {
            FINAL_INTERVAL
        } else if f.opened_at.is_none_or(|at| at.elapsed() > LATELY) {
            QUIET_INTERVAL
        } else {
            BACKGROUND_INTERVAL
        };
        f.next_poll = Instant::now() + interval;
        (entries, notices)
    }

    /// Backs off a customer whose poll failed: 2×, 4×, … up to [`MAX_BACKOFF`].
    pub fn failed(&self, id: &str) {
        if let Some(f) = lock(&self.customers).get_mut(id) {
            f.failures = f.failures.saturating_add(1);
            let wait = OPEN_INTERVAL
                .saturating_mul(1 << f.failures.min(8))
                .min(MAX_BACKOFF);
            f.next_poll = Instant::now() + wait;
        }
    }

    /// Forgets everything (the connection changed).
    pub fn clear(&self) {
        lock(&self.customers).clear();
        self.changed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A customer whose requirements are `(id, state)`: `pending`, `partial`, `submitted`,
    /// `accepted` or `rejected`.
    fn customer(status: &str, kyc: &[(&str, &str)]) -> dinie::Customer {
        let kyc: Vec<_> = kyc
            .iter()
            .map(|(id, state)| {
                let mut req = serde_json::json!({"requirement_type": "identity", "requirement_id": id, "label": format!("Doc {id}"), "mandatory": true,
                    "subject": {"id": "a", "name": "Ana", "subject_type": "applicant"}});
                if *state != "pending" {
                    let review = match *state { "accepted" => "accepted", "rejected" => "rejected", _ => "pending" };
                    req["submitted"] = serde_json::json!({"evidence_type": "rg", "review_status": review,
                        "review_reason": if *state == "rejected" { Some("ilegível") } else { None },
                        "attachments": [{"attachment_type": "front", "submitted": true}, {"attachment_type": "back", "submitted": *state != "partial"}]});
                }
                req
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": "cust_1", "status": status, "cpf": "12345678909", "cnpj": "11222333000181", "name": "Ana",
            "email": "a@b.co", "phone": "+5511987654321", "kyc": kyc, "created_at": 0, "updated_at": 0
        }))
        .unwrap()
    }

    #[test]
    fn diffs_requirements_and_statuses_under_the_webhook_names() {
        let a = customer(
            "pending_kyc",
            &[("identity_a", "pending"), ("identity_b", "pending")],
        );
        let b = customer(
            "pending_kyc",
            &[("identity_a", "submitted"), ("identity_b", "partial")],
        );
        let d = diff(&a, &b);
        let got: Vec<_> = d
            .iter()
            .map(|e| (e.event.as_str(), e.item.as_deref(), e.status.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "customer.kyc_updated",
                    Some("Doc identity_a"),
                    Some("submitted")
                ),
                (
                    "customer.kyc_updated",
                    Some("Doc identity_b"),
                    Some("partial")
                ),
            ]
        );
        let c = customer(
            "active",
            &[("identity_a", "accepted"), ("identity_b", "accepted")],
        );
        let events: Vec<_> = diff(&b, &c).into_iter().map(|e| e.event).collect();
        assert_eq!(
            events,
            [
                "customer.kyc_updated",
                "customer.kyc_updated",
                "customer.active",
                "credit_offer.available"
            ]
        );
        assert!(diff(&c, &c).is_empty());
        let creating = customer("creating", &[]);
        let listed: Vec<_> = diff(&creating, &a).into_iter().map(|e| e.event).collect();
        assert_eq!(
            listed,
            ["customer.requirements_listed"],
            "new pending requirements are not news"
        );
        let denied: Vec<_> = diff(
            &c,
            &customer(
                "denied",
                &[("identity_a", "accepted"), ("identity_b", "accepted")],
            ),
        )
        .into_iter()
        .map(|e| e.event)
        .collect();
        assert_eq!(denied, ["customer.denied"]);
    }

    #[tokio::test]
    async fn the_loop_is_told_when_to_wake_next_and_when_that_changed() {
        let f = Follower::default();
        assert_eq!(f.next_due(), None, "nobody followed: no reason to wake");
        f.follow(&customer("pending_kyc", &[]), false);
        let quiet = f.next_due().unwrap() - Instant::now();
        assert!(quiet > QUIET_INTERVAL - Duration::from_secs(1), "{quiet:?}");
        // Following told the loop; so does opening the detail, which brings the poll forward.
        tokio::time::timeout(Duration::from_millis(100), f.changed())
            .await
            .expect("following wakes the loop");
        f.set_open(Some("cust_1".into()));
        tokio::time::timeout(Duration::from_millis(100), f.changed())
            .await
            .expect("opening wakes the loop");
        assert!(f.next_due().unwrap() - Instant::now() <= OPEN_INTERVAL);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), f.changed())
                .await
                .is_err(),
            "nothing new: the loop sleeps"
        );
        f.clear();
        assert_eq!(f.next_due(), None);
    }

    #[test]
    fn a_decided_customer_is_polled_rarely_unless_open() {
        let f = Follower::default();
        f.follow(
            &customer("under_review", &[("identity_a", "submitted")]),
            false,
        );
        f.update(&customer("active", &[("identity_a", "accepted")]));
        let wait = |f: &Follower| lock(&f.customers)["cust_1"].next_poll - Instant::now();
        assert!(wait(&f) > BACKGROUND_INTERVAL, "{:?}", wait(&f));
        f.set_open(Some("cust_1".into()));
        f.update(&customer("active", &[("identity_a", "accepted")]));
        assert!(wait(&f) <= OPEN_INTERVAL);
    }

    #[test]
    fn a_customer_not_opened_lately_is_polled_every_few_minutes() {
        let f = Follower::default();
        // Registered by the drafts' sync: never opened.
        f.follow(&customer("pending_kyc", &[("identity_a", "pending")]), true);
        f.update(&customer("pending_kyc", &[("identity_a", "pending")]));
        let wait = |f: &Follower| lock(&f.customers)["cust_1"].next_poll - Instant::now();
        assert!(
            wait(&f) > QUIET_INTERVAL - Duration::from_secs(1),
            "{:?}",
            wait(&f)
        );
        // Opened a moment ago, then closed: followed closely for a while.
        f.set_open(Some("cust_1".into()));
        f.set_open(None);
        f.update(&customer("pending_kyc", &[("identity_a", "pending")]));
        assert!(wait(&f) <= BACKGROUND_INTERVAL);
    }

    #[test]
    fn a_round_polls_a_few_customers_the_open_one_first() {
        let f = Follower::default();
        for i in 0..10 {
            let mut c = customer("pending_kyc", &[("identity_a", "pending")]);
            c.id = dinie::CustomerId::new(format!("cust_{i}"));
            f.follow(&c, false);
        }
        f.set_open(Some("cust_7".into()));
        let now = Instant::now();
        for (i, followed) in f.customers.lock().unwrap().values_mut().enumerate() {
            followed.next_poll = now - Duration::from_secs(i as u64);
        }
        let due = f.due();
        assert_eq!(due.len(), MAX_POLLS_PER_ROUND);
        assert_eq!(due[0], "cust_7");
    }

    #[test]
    fn notices_for_activation_rejection_denial_and_backoff() {
        let f = Follower::default();
        let a = customer("under_review", &[("identity_a", "submitted")]);
        f.follow(&a, true);
        let (entries, notices) = f.update(&customer("pending_kyc", &[("identity_a", "rejected")]));
        assert!(
            matches!(&notices[..], [Notice::Rejected { item, .. }] if item == "Doc identity_a")
        );
        assert_eq!(entries[0].message.as_deref(), Some("ilegível"));
        let (_, notices) = f.update(&customer("active", &[("identity_a", "accepted")]));
        assert_eq!(notices, [Notice::Activated]);
        let (_, notices) = f.update(&customer("denied", &[("identity_a", "accepted")]));
        assert_eq!(notices, [Notice::Denied]);
        assert_eq!(
            f.timeline("cust_1").first().map(|e| e.event.as_str()),
            Some("customer.created")
        );
        assert!(f.due().is_empty());
        f.failed("cust_1");
        assert!(f.due().is_empty(), "backed off");
    }
}
