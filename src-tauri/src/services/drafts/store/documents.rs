//! The documents side of the drafts store: files attached to a draft before its customer
//! exists, sealed one per file in `blobs/` (written, flushed and renamed before the row that
//! names them), and what the agent changes about them while the draft is not sent.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{
    editable, now_ms, owned_by, remove_if_there, DocumentState, DraftDocument, DraftError,
    DraftStore,
};

impl DraftStore {
    /// Attaches a document: the bytes are sealed into the blob folder first (written to a
    /// temporary name, flushed, renamed), then recorded.
    pub fn attach(
        &self,
        draft_id: &str,
        profile_id: &str,
        doc_type: &str,
        name: &str,
        format: &str,
        bytes: &[u8],
    ) -> Result<DraftDocument, DraftError> {
        let id = uuid::Uuid::new_v4().to_string();
        let path = self.blob_path(&id);
        let tmp = path.with_extension("tmp");
        {
            use std::io::Write;
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&self.sealer.seal(&id, bytes))?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        let recorded = self.change(draft_id, None, |d| {
            owned_by(d, profile_id)?;
            editable(d)
        });
        let recorded = recorded.and_then(|_| {
            self.with_tx(|tx| {
                tx.execute(
                    "INSERT INTO draft_documents (id, draft_id, doc_type, sealed_name, format, size, state, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)",
                    params![id, draft_id, doc_type, self.sealer.seal(&id, name.as_bytes()), format, bytes.len() as u64, now_ms()],
                )?;
                Ok(())
            })
        });
        if let Err(e) = recorded {
            remove_if_there(&path)?;
            return Err(e);
        }
        Ok(DraftDocument {
            id,
            doc_type: doc_type.to_owned(),
            name: name.to_owned(),
            format: format.to_owned(),
            size: bytes.len() as u64,
            state: DocumentState::Pending,
            problem: None,
            timeouts: 0,
        })
    }

    fn document_owner(&self, tx: &Transaction<'_>, doc_id: &str) -> Result<String, DraftError> {
        tx.query_row(
            "SELECT draft_id FROM draft_documents WHERE id = ?1",
            params![doc_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(DraftError::NotFound)
    }

    /// Removes a document not yet sent, and erases its file.
    pub fn remove_document(&self, doc_id: &str) -> Result<(), DraftError> {
        self.with_tx(|tx| {
            let draft = self.load(tx, &self.document_owner(tx, doc_id)?)?;
            editable(&draft)?;
            tx.execute("DELETE FROM draft_documents WHERE id = ?1", params![doc_id])?;
            Ok(())
        })?;
        remove_if_there(&self.blob_path(doc_id))?;
        Ok(())
    }

    /// Changes a document's type; it will be sent (again) on the next sync.
    pub fn set_document_type(&self, doc_id: &str, doc_type: &str) -> Result<(), DraftError> {
        self.with_tx(|tx| {
            let draft = self.load(tx, &self.document_owner(tx, doc_id)?)?;
            editable(&draft)?;
            tx.execute(
                "UPDATE draft_documents SET doc_type = ?2, state = 'pending', problem = NULL WHERE id = ?1 AND state != 'uploaded'",
                params![doc_id, doc_type],
            )?;
            Ok(())
        })
    }

    /// A document's bytes, opened.
    pub fn read_document(&self, doc_id: &str) -> Result<Vec<u8>, DraftError> {
        let sealed = std::fs::read(self.blob_path(doc_id)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                DraftError::MissingFile
            } else {
                e.into()
            }
        })?;
        Ok(self.sealer.open(doc_id, &sealed)?)
    }
}
