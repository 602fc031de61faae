//! A PDF's page count, shown with the file before it is sent.

use std::path::Path;

/// Counts the pages of a PDF by its page objects (`/Type /Page`), reading at most 32 MiB, a
/// window at a time (memory stays flat whatever the file's size). Compressed object streams
/// can hide them: then the count is unknown, not wrong.
pub fn pages(path: &Path) -> Option<u32> {
    use std::io::Read;
    /// How much is read at a time.
    const WINDOW: usize = 256 * 1024;
    /// What a window keeps of the previous one: a `/Type /Page` across the seam is found.
    const CARRY: usize = 64;
    let mut file = std::fs::File::open(path).ok()?.take(32 << 20);
    let mut bytes = Vec::with_capacity(WINDOW + CARRY);
    let mut count = 0u32;
    loop {
        let kept = bytes.len();
        bytes.resize(kept + WINDOW, 0);
        let mut filled = kept;
        while filled < bytes.len() {
            match file.read(&mut bytes[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        let at_end = filled < bytes.len();
        bytes.truncate(filled);
        // Objects that start in the carried tail are counted with the next window.
        let scanned = if at_end {
            bytes.len()
        } else {
            bytes.len() - CARRY
        };
        count += page_objects(&bytes, scanned);
        if at_end {
            break;
        }
        bytes.drain(..scanned);
    }
    (count > 0).then_some(count)
}

/// How many `/Type /Page` (not `/Pages`) start before `before` in `bytes`.
fn page_objects(bytes: &[u8], before: usize) -> u32 {
    let needle = b"/Type";
    let mut count = 0;
    let mut i = 0;
    while let Some(pos) = bytes[i..].windows(needle.len()).position(|w| w == needle) {
        if i + pos >= before {
            break;
        }
        let mut j = i + pos + needle.len();
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes[j..].starts_with(b"/Page") && !bytes[j..].starts_with(b"/Pages") {
            count += 1;
        }
        i = j;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pages() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.pdf");
        std::fs::write(&path, b"%PDF-1.4\n1 0 obj <</Type /Pages /Count 2>>\n2 0 obj <</Type /Page>>\n3 0 obj <</Type/Page /Parent 1 0 R>>\n").unwrap();
        assert_eq!(pages(&path), Some(2));
    }

    #[test]
    fn counts_pdf_pages_across_the_reading_windows_of_a_large_file() {
        // 300 page objects spread over ~3 MiB, so that many straddle a 256 KiB window's seam.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.pdf");
        let mut bytes = b"%PDF-1.4\n<</Type /Pages /Count 300>>\n".to_vec();
        for n in 0..300 {
            bytes.extend(std::iter::repeat_n(b' ', 10_477 + n));
            bytes.extend_from_slice(b"<</Type   /Page>>");
        }
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(pages(&path), Some(300));
    }
}
