//! `POST /customers/{id}/documents`: a streamed multipart upload with local pre-checks.

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
use crate::models::{CustomerId, Document, KycItem, KycKind};
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
}

/// Builder of a document upload.
///
/// Before a byte is sent it checks that the customer's `kyc` lists the type, that the content
/// is a PDF, JPEG or PNG by its magic bytes (whatever the file is called), and that the size is
/// within the limit. The file is read in chunks while it is sent, so memory does not grow with
/// its size. An upload from a path is retried on transient failures (the file is read again);
/// one from a reader cannot be replayed and is tried once.
///
/// ```no_run
/// # async fn run(client: dinie::Client) -> dinie::Result<()> {
/// let doc = client
///     .customers()
///     .upload_document(&"cust_123".into(), "cnh")
///     .file("/home/agent/Downloads/cnh-maria.pdf")
///     .on_progress(|p| println!("{} of {:?} bytes", p.sent, p.total))
///     .send()
///     .await?;
/// println!("{} is {}", doc.id, doc.status);
/// # Ok(()) }
/// ```
#[must_use = "nothing is sent until .send() is awaited"]
pub struct UploadDocument<'c> {
    client: &'c Client,
    id: CustomerId,
    doc_type: String,
    source: Option<Source>,
    kyc: Option<Vec<KycItem>>,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for UploadDocument<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadDocument")
            .field("id", &self.id)
            .field("doc_type", &self.doc_type)
            .finish_non_exhaustive()
    }
}

impl<'c> UploadDocument<'c> {
    pub(crate) fn new(client: &'c Client, id: CustomerId, doc_type: String) -> Self {
        Self {
            client,
            id,
            doc_type,
            source: None,
            kyc: None,
            progress: None,
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

    /// The customer's current `kyc`, when the caller has it: saves the `GET` the type check
    /// would otherwise make.
    pub fn known_kyc(mut self, kyc: &[KycItem]) -> Self {
        self.kyc = Some(kyc.to_vec());
        self
    }

    /// Called as chunks are handed to the connection.
    pub fn on_progress(mut self, f: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Checks, then streams the document.
    pub async fn send(self) -> Result<Document> {
        let source = self.source.ok_or_else(|| {
            InvalidInput::Other(
                "no file was given to upload_document (use .file or .reader)".into(),
            )
        })?;
        let kyc = match self.kyc {
            Some(kyc) => kyc,
            None => self.client.customers().get(&self.id).await?.kyc,
        };
        check_type(&self.doc_type, &kyc)?;
        let limit = self.client.config().max_upload_bytes;
        let url = self
            .client
            .url(&format!("/customers/{}/documents", path_segment(&self.id)));
        let progress = self.progress;
        let doc_type = self.doc_type;

        let resp = match source {
            Source::Path(path) => {
                let (format, size, name) = check_file(&path, limit).await?;
                self.client
                    .execute(&url, |http| {
                        let file = std::fs::File::open(&path).map_err(|source| {
                            InvalidInput::Unreadable {
                                path: path.clone(),
                                source,
                            }
                        })?;
                        let chunks =
                            ReaderStream::with_capacity(tokio::fs::File::from_std(file), 64 * 1024);
                        let body = reqwest::Body::wrap_stream(counted(
                            chunks,
                            Some(size),
                            progress.clone(),
                            None,
                        ));
                        let part = Part::stream_with_length(body, size);
                        Ok(http
                            .post(&url)
                            .multipart(form(&doc_type, part, &name, format)?))
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
                let result = self
                    .client
                    .execute_once(&url, |http| {
                        let (head, reader) = once.take().ok_or_else(|| {
                            InvalidInput::Other(
                                "an upload from a reader cannot be sent twice".into(),
                            )
                        })?;
                        let chunks = stream::once(async move { Ok(Bytes::from(head)) })
                            .chain(ReaderStream::with_capacity(reader, 64 * 1024));
                        let body = reqwest::Body::wrap_stream(counted(
                            chunks,
                            None,
                            progress.clone(),
                            Some((limit, exceeded.clone())),
                        ));
                        let part = Part::stream(body);
                        Ok(http
                            .post(&url)
                            .multipart(form(&doc_type, part, &name, format)?))
                    })
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

/// The multipart body: `type`, then `file` with its name and detected MIME type.
fn form(
    doc_type: &str,
    part: Part,
    name: &str,
    format: DocumentFormat,
) -> Result<Form, InvalidInput> {
    let part = part
        .file_name(name.to_owned())
        .mime_str(format.mime())
        .map_err(|e| InvalidInput::Other(e.to_string()))?;
    Ok(Form::new()
        .text("type", doc_type.to_owned())
        .part("file", part))
}

fn check_type(doc_type: &str, kyc: &[KycItem]) -> Result<(), InvalidInput> {
    let needed: Vec<String> = kyc
        .iter()
        .filter(|k| k.kind == KycKind::Document)
        .map(|k| k.item_type.clone())
        .collect();
    if needed.iter().any(|t| t == doc_type) {
        Ok(())
    } else {
        Err(InvalidInput::DocumentTypeNotRequired {
            doc_type: doc_type.to_owned(),
            needed,
        })
    }
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

/// Counts bytes as they pass, reports progress, and stops the stream when a size limit is
/// crossed (setting `exceeded`).
fn counted<S>(
    chunks: S,
    total: Option<u64>,
    progress: Option<ProgressFn>,
    limit: Option<(u64, Arc<AtomicBool>)>,
) -> impl Stream<Item = std::io::Result<Bytes>>
where
    S: Stream<Item = std::io::Result<Bytes>>,
{
    let sent = Arc::new(AtomicU64::new(0));
    chunks.map(move |chunk| {
        let chunk = chunk?;
        let now = sent.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
        if let Some((max, exceeded)) = &limit {
            if now > *max {
                exceeded.store(true, Ordering::SeqCst);
                return Err(std::io::Error::other("file exceeds the upload size limit"));
            }
        }
        if let Some(report) = &progress {
            report(UploadProgress { sent: now, total });
        }
        Ok(chunk)
    })
}
