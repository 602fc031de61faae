//! `POST /customers/{id}/kyc-attachments`: one part of the evidence of one KYC requirement, a
//! file streamed with local pre-checks, or a text value (a co-owner's e-mail).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{stream, Stream, StreamExt};
use reqwest::multipart::{Form, Part};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::io::ReaderStream;

use crate::api::path_segment;
use crate::content::{self, DocumentFormat, SNIFF_LEN};
use crate::error::{Error, InvalidInput};
use crate::models::{
    AttachmentType, CustomerId, EvidenceType, KycAttachmentReceipt, KycRequirement,
};
use crate::upload_watch::Activity;
use crate::{response, Client, Result};

/// How far an upload is. `sent` restarts from zero when a transient failure is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes of the file handed to the connection so far.
    pub sent: u64,
    /// File size, when known.
    pub total: Option<u64>,
}

type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

enum Source {
    Path(PathBuf),
    Reader {
        reader: Box<dyn AsyncRead + Send + Unpin>,
        name: String,
    },
    Value(String),
}

/// Which part of which evidence of which requirement an upload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentTarget {
    /// The requirement (`identity_<subject>`, `articles_of_association`, …).
    pub requirement_id: String,
    /// The evidence (`cnh`, `rg`, `ccmei`, …).
    pub evidence_type: EvidenceType,
    /// The part (`front`, `back`, `file`, `email`, …).
    pub attachment_type: AttachmentType,
}

/// Builder of a KYC attachment upload.
///
/// Before a byte is sent it checks the target against the customer's `kyc` (the requirement
/// exists and takes this evidence and part; selfies are refused, only the biometrics session
/// sends them), and for a file that the content is a PDF, JPEG or PNG by its magic bytes
/// (whatever the file is called) and the size is within the limit. The file is read in chunks
/// while it is sent, so memory does not grow with its size. An upload from a path is retried
/// on transient failures (the file is read again); one from a reader is tried once.
///
/// ```no_run
/// # async fn run(client: dinie::Client) -> dinie::Result<()> {
/// use dinie::{AttachmentTarget, AttachmentType, EvidenceType};
/// let front = AttachmentTarget {
///     requirement_id: "identity_003XXXXXXXXXXXXXXX".into(),
///     evidence_type: EvidenceType::Cnh,
///     attachment_type: AttachmentType::Front,
/// };
/// client
///     .customers()
///     .kyc_attachment(&"cust_123".into(), front)
///     .file("/home/agent/Downloads/cnh-frente.jpg")
///     .on_progress(|p| println!("{} of {:?} bytes", p.sent, p.total))
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "nothing is sent until .send() is awaited"]
pub struct UploadKycAttachment<'c> {
    client: &'c Client,
    id: CustomerId,
    target: AttachmentTarget,
    source: Option<Source>,
    kyc: Option<Vec<KycRequirement>>,
    progress: Option<ProgressFn>,
    size_hint: Option<u64>,
}

impl std::fmt::Debug for UploadKycAttachment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadKycAttachment")
            .field("id", &self.id)
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl<'c> UploadKycAttachment<'c> {
    pub(crate) fn new(client: &'c Client, id: CustomerId, target: AttachmentTarget) -> Self {
        Self {
            client,
            id,
            target,
            source: None,
            kyc: None,
            progress: None,
            size_hint: None,
        }
    }

    /// Sends the file at `path`.
    pub fn file(mut self, path: impl AsRef<Path>) -> Self {
        self.source = Some(Source::Path(path.as_ref().to_path_buf()));
        self
    }

    /// Sends what `reader` yields, under the file name `name`.
    pub fn reader(
        mut self,
        reader: impl AsyncRead + Send + Unpin + 'static,
        name: impl Into<String>,
    ) -> Self {
        self.source = Some(Source::Reader {
            reader: Box::new(reader),
            name: name.into(),
        });
        self
    }

    /// The length of what [`reader`](Self::reader) yields, when known: the upload is given the
    /// time its size needs on a slow link (instead of the time the size limit needs), and
    /// progress reports a total.
    pub fn size(mut self, bytes: u64) -> Self {
        self.size_hint = Some(bytes);
        self
    }

    /// Sends a text value (a data requirement such as a co-owner's e-mail).
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.source = Some(Source::Value(value.into()));
        self
    }

    /// The customer's current `kyc`, when the caller has it: saves the `GET` the check would
    /// otherwise make.
    pub fn known_kyc(mut self, kyc: &[KycRequirement]) -> Self {
        self.kyc = Some(kyc.to_vec());
        self
    }

    /// Called as chunks are handed to the connection: for the first and the last, and at most
    /// every 33 ms in between.
    pub fn on_progress(mut self, f: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Checks, then sends.
    pub async fn send(self) -> Result<KycAttachmentReceipt> {
        let source = self.source.ok_or_else(|| {
            InvalidInput::Other("nothing to upload (use .file, .reader or .value)".into())
        })?;
        let kyc = match self.kyc {
            Some(kyc) => kyc,
            None => self.client.customers().get(&self.id).await?.kyc,
        };
        check_target(&self.target, &kyc, matches!(source, Source::Value(_)))?;
        let limit = self.client.config().max_upload_bytes;
        let url = self.client.url(&format!(
            "/customers/{}/kyc-attachments",
            path_segment(&self.id)
        ));
        let progress = self.progress;
        let target = self.target;
        let size_hint = self.size_hint;

        let resp = match source {
            Source::Value(value) => {
                self.client
                    .execute(&url, |http| {
                        Ok(http
                            .post(&url)
                            .multipart(fields(&target).text("value", value.clone())))
                    })
                    .await?
            }
            Source::Path(path) => {
                let (format, size, name) = check_file(&path, limit).await?;
                let activity = Activity::new();
                self.client
                    .execute_upload(&url, u32::MAX, size, activity.clone(), |http| {
                        let file = std::fs::File::open(&path).map_err(|source| {
                            InvalidInput::Unreadable {
                                path: path.clone(),
                                source,
                            }
                        })?;
                        let chunks =
                            ReaderStream::with_capacity(tokio::fs::File::from_std(file), CHUNK);
                        let body = reqwest::Body::wrap_stream(counted(
                            chunks,
                            Some(size),
                            progress.clone(),
                            None,
                            activity.clone(),
                        ));
                        let part = Part::stream_with_length(body, size);
                        Ok(http
                            .post(&url)
                            .multipart(form(&target, part, &name, format)?))
                    })
                    .await?
            }
            Source::Reader { mut reader, name } => {
                let mut head = vec![0u8; SNIFF_LEN];
                let mut filled = 0;
                while filled < SNIFF_LEN {
                    let n = reader.read(&mut head[filled..]).await.map_err(|source| {
                        InvalidInput::Unreadable {
                            path: PathBuf::from(&name),
                            source,
                        }
                    })?;
                    if n == 0 {
                        break;
                    }
                    filled += n;
                }
                head.truncate(filled);
                let format = check_head(&name, &head)?;
                // A reader cannot be replayed: authenticate first so that the one attempt is
                // not spent on an expired token, and refuse a second build.
                self.client.authenticate().await?;
                let exceeded = Arc::new(AtomicBool::new(false));
                let mut once = Some((head, reader));
                let activity = Activity::new();
                let result = self
                    .client
                    .execute_upload(
                        &url,
                        0,
                        size_hint.unwrap_or(limit),
                        activity.clone(),
                        |http| {
                            let (head, reader) = once.take().ok_or_else(|| {
                                InvalidInput::Other(
                                    "an upload from a reader cannot be sent twice".into(),
                                )
                            })?;
                            let chunks = stream::once(async move { Ok(Bytes::from(head)) })
                                .chain(ReaderStream::with_capacity(reader, CHUNK));
                            let body = reqwest::Body::wrap_stream(counted(
                                chunks,
                                size_hint,
                                progress.clone(),
                                Some((limit, exceeded.clone())),
                                activity.clone(),
                            ));
                            let part = Part::stream(body);
                            Ok(http
                                .post(&url)
                                .multipart(form(&target, part, &name, format)?))
                        },
                    )
                    .await;
                match result {
                    Err(_) if exceeded.load(Ordering::SeqCst) => {
                        return Err(InvalidInput::TooLarge {
                            name,
                            size: limit + 1,
                            limit,
                        }
                        .into())
                    }
                    other => other?,
                }
            }
        };
        response::decode(resp).await
    }
}

/// The three text fields every upload carries.
fn fields(target: &AttachmentTarget) -> Form {
    Form::new()
        .text("requirement_id", target.requirement_id.clone())
        .text("evidence_type", target.evidence_type.as_str().to_owned())
        .text(
            "attachment_type",
            target.attachment_type.as_str().to_owned(),
        )
}

/// The multipart body: the fields, then `file` with its name and detected MIME type.
fn form(
    target: &AttachmentTarget,
    part: Part,
    name: &str,
    format: DocumentFormat,
) -> Result<Form, InvalidInput> {
    let part = part
        .file_name(name.to_owned())
        .mime_str(format.mime())
        .map_err(|e| InvalidInput::Other(e.to_string()))?;
    Ok(fields(target).part("file", part))
}

/// Checks an upload's target against the customer's requirements.
pub fn check_target(
    target: &AttachmentTarget,
    kyc: &[KycRequirement],
    is_value: bool,
) -> Result<(), InvalidInput> {
    let Some(req) = kyc
        .iter()
        .find(|k| k.requirement_id == target.requirement_id)
    else {
        return Err(InvalidInput::RequirementNotListed {
            requirement_id: target.requirement_id.clone(),
            listed: kyc.iter().map(|k| k.requirement_id.clone()).collect(),
        });
    };
    let kind = &req.requirement_type;
    if kind.is_captured_by_biometrics() {
        return Err(InvalidInput::SelfieOnlyByBiometrics);
    }
    // A requirement type this crate does not know: let the server judge.
    if matches!(kind, crate::models::RequirementType::Unknown(_)) {
        return Ok(());
    }
    if !req.accepts(&target.evidence_type, &target.attachment_type) {
        let accepted = kind
            .evidence_options()
            .iter()
            .flat_map(|o| {
                o.attachment_types()
                    .into_iter()
                    .map(move |a| format!("{}/{}", o.evidence_type, a))
            })
            .collect();
        return Err(InvalidInput::EvidenceNotAccepted {
            requirement_type: kind.to_string(),
            evidence_type: target.evidence_type.to_string(),
            attachment_type: target.attachment_type.to_string(),
            accepted,
        });
    }
    if kind.takes_a_value() != is_value {
        return Err(InvalidInput::WrongEvidenceForm {
            requirement_type: kind.to_string(),
            expected: if kind.takes_a_value() {
                "a text value"
            } else {
                "a file"
            },
        });
    }
    Ok(())
}

fn check_head(name: &str, head: &[u8]) -> Result<DocumentFormat, InvalidInput> {
    if head.is_empty() {
        return Err(InvalidInput::EmptyFile {
            name: name.to_owned(),
        });
    }
    content::sniff(head).ok_or_else(|| InvalidInput::UnsupportedContent {
        name: name.to_owned(),
        detected: content::describe(head).to_owned(),
    })
}

/// Size, emptiness and content checks of a file on disk; returns its format, size and name.
async fn check_file(path: &Path, limit: u64) -> Result<(DocumentFormat, u64, String), Error> {
    let unreadable = |source| InvalidInput::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into());
    let meta = tokio::fs::metadata(path).await.map_err(unreadable)?;
    if !meta.is_file() {
        return Err(InvalidInput::Unreadable {
            path: path.to_path_buf(),
            source: std::io::Error::other("not a regular file"),
        }
        .into());
    }
    let size = meta.len();
    if size > limit {
        return Err(InvalidInput::TooLarge { name, size, limit }.into());
    }
    let mut file = tokio::fs::File::open(path).await.map_err(unreadable)?;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut file)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .await
        .map_err(unreadable)?;
    let format = check_head(&name, &head)?;
    Ok((format, size, name))
}

/// The least time between two progress reports (the first and the last chunk are always
/// reported): a progress bar needs no more than ~30 a second, and a report per chunk of a
/// fast upload would flood whoever listens (a webview, through IPC).
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(33);
/// How much of a file is read at a time: large enough that a fast link is not held back by
/// reads (each one a trip to a blocking thread and a copy out of `tokio::fs::File`'s buffer),
/// small enough to keep memory flat. A 100 MiB upload to a sandbox on loopback (`make bench`,
/// `uploads`, against `curl -F`): 512 KiB chunks 0.65x curl's throughput; 1 MiB 0.93x, the
/// app growing by 5 MiB; 2 MiB (the most `tokio::fs::File` reads at once) no quicker, +13 MiB.
const CHUNK: usize = 1024 * 1024;

/// Counts bytes as they pass, reports progress (at most every [`PROGRESS_EVERY`]), and stops
/// the stream when a size limit is crossed (setting `exceeded`).
fn counted<S>(
    chunks: S,
    total: Option<u64>,
    progress: Option<ProgressFn>,
    limit: Option<(u64, Arc<AtomicBool>)>,
    activity: Arc<Activity>,
) -> impl Stream<Item = std::io::Result<Bytes>>
where
    S: Stream<Item = std::io::Result<Bytes>>,
{
    let sent = Arc::new(AtomicU64::new(0));
    let reported = std::sync::Mutex::new(None::<std::time::Instant>);
    chunks.map(move |chunk| {
        let chunk = chunk?;
        activity.touch();
        let now = sent.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
        if let Some((max, exceeded)) = &limit {
            if now > *max {
                exceeded.store(true, Ordering::SeqCst);
                return Err(std::io::Error::other("file exceeds the upload size limit"));
            }
        }
        if total.is_some_and(|t| now >= t) {
            activity.finish();
        }
        if let Some(report) = &progress {
            let at_end = total.is_some_and(|t| now >= t);
            let mut last = reported.lock().unwrap_or_else(|e| e.into_inner());
            if at_end || last.is_none_or(|at| at.elapsed() >= PROGRESS_EVERY) {
                *last = Some(std::time::Instant::now());
                drop(last);
                report(UploadProgress { sent: now, total });
            }
        }
        Ok(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn progress_is_reported_at_most_thirty_times_a_second_and_always_at_the_end() {
        let reports = Arc::new(Mutex::new(Vec::new()));
        let seen = reports.clone();
        let report: ProgressFn = Arc::new(move |p: UploadProgress| seen.lock().unwrap().push(p));
        let chunks = stream::iter((0..2_000).map(|_| Ok(Bytes::from_static(&[0u8; 1024]))));
        let total = 2_000 * 1024;
        let passed: Vec<_> = counted(chunks, Some(total), Some(report), None, Activity::new())
            .collect()
            .await;
        assert_eq!(passed.len(), 2_000, "every chunk passes");
        let reports = reports.lock().unwrap();
        assert!(
            reports.len() < 10,
            "{} reports for a body that passed at once",
            reports.len()
        );
        assert_eq!(reports.first().map(|p| p.sent), Some(1024));
        assert_eq!(reports.last().map(|p| p.sent), Some(total));
    }
}
