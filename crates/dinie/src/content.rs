//! What a file is, by its first bytes rather than its name: a `.png` that is really a PDF, or
//! text, is caught before anything is sent.

/// The document formats Dinie accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentFormat {
    /// `%PDF-`
    Pdf,
    /// `FF D8 FF`
    Jpeg,
    /// `89 50 4E 47 0D 0A 1A 0A`
    Png,
}

impl DocumentFormat {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "application/pdf",
            DocumentFormat::Jpeg => "image/jpeg",
            DocumentFormat::Png => "image/png",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "pdf",
            DocumentFormat::Jpeg => "jpg",
            DocumentFormat::Png => "png",
        }
    }
}

/// How many leading bytes [`sniff`] and [`describe`] look at.
pub const SNIFF_LEN: usize = 16;

/// The accepted format these leading bytes start, if any.
pub fn sniff(head: &[u8]) -> Option<DocumentFormat> {
    if head.starts_with(b"%PDF-") {
        Some(DocumentFormat::Pdf)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(DocumentFormat::Jpeg)
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(DocumentFormat::Png)
    } else {
        None
    }
}

/// A short human description of what the leading bytes look like, for error messages.
pub fn describe(head: &[u8]) -> &'static str {
    if let Some(format) = sniff(head) {
        return match format {
            DocumentFormat::Pdf => "a PDF document",
            DocumentFormat::Jpeg => "a JPEG image",
            DocumentFormat::Png => "a PNG image",
        };
    }
    if head.is_empty() {
        "nothing (an empty file)"
    } else if head.starts_with(b"GIF8") {
        "a GIF image"
    } else if head.starts_with(b"PK\x03\x04") {
        "a ZIP archive (Word or Excel files are ZIP archives)"
    } else if head.len() >= 12
        && &head[4..8] == b"ftyp"
        && matches!(&head[8..12], b"heic" | b"heix" | b"mif1" | b"msf1")
    {
        "a HEIC image (export it as JPEG)"
    } else if head.starts_with(b"RIFF") && head.len() >= 12 && &head[8..12] == b"WEBP" {
        "a WebP image"
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        "a TIFF image"
    } else if std::str::from_utf8(head)
        .is_ok_and(|t| t.chars().all(|c| !c.is_control() || c.is_whitespace()))
    {
        "text"
    } else {
        "unrecognised binary data"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_accepted_formats_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(DocumentFormat::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(DocumentFormat::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(DocumentFormat::Png));
        assert_eq!(sniff(b"hello, I am a png"), None);
        assert_eq!(describe(b"hello, I am a png"), "text");
        assert_eq!(
            describe(b"PK\x03\x04...."),
            "a ZIP archive (Word or Excel files are ZIP archives)"
        );
        assert_eq!(
            describe(b"\0\0\0\x18ftypheic"),
            "a HEIC image (export it as JPEG)"
        );
        assert_eq!(
            describe(&[0x00, 0x01, 0x02, 0xFE]),
            "unrecognised binary data"
        );
    }
}
