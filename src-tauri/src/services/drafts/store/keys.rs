//! Which key sealed what. Each key the drafts were ever sealed with has a row in `keys` with a
//! check value (a constant sealed with it), and each draft names its key. At open, the key the
//! keychain gave is looked up by its check value: a new key (the keychain was reset, the agent
//! moved to another desktop) gets a new row, and rows of the lost one are told apart without
//! decrypting anything: listed as unreadable, never sent, never written over, discardable.

use rusqlite::{params, Transaction};

use super::{now_ms, DraftError};
use crate::services::drafts::sealing::Sealer;

/// The owner of the check value (no draft or document id looks like it).
const CHECK_OWNER: &str = "drafts-key-check";
const CHECK_PLAIN: &[u8] = b"Dinie Desk drafts key";

/// The id of `sealer`'s key in `keys`, recorded now if it is new. Rows of a release that did
/// not record keys are adopted by the key that opens them.
pub(super) fn current_key(tx: &Transaction<'_>, sealer: &Sealer) -> Result<i64, DraftError> {
    let known: Vec<(i64, Vec<u8>)> = tx
        .prepare("SELECT id, check_value FROM keys ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let found = known
        .into_iter()
        .find(|(_, check)| sealer.open(CHECK_OWNER, check).is_ok())
        .map(|(id, _)| id);
    let id = match found {
        Some(id) => id,
        None => {
            tx.execute(
                "INSERT INTO keys (check_value, created_at) VALUES (?1, ?2)",
                params![sealer.seal(CHECK_OWNER, CHECK_PLAIN), now_ms()],
            )?;
            tx.last_insert_rowid()
        }
    };
    let legacy: Vec<(String, Vec<u8>)> = tx
        .prepare("SELECT id, sealed FROM drafts WHERE key_id IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (draft, sealed) in legacy {
        if sealer.open(&draft, &sealed).is_ok() {
            tx.execute(
                "UPDATE drafts SET key_id = ?2 WHERE id = ?1",
                params![draft, id],
            )?;
        }
    }
    Ok(id)
}
