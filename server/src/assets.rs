//! The built wasm, JS and CSS (`<site root>/pkg`), served precompressed.
//!
//! Compressing on every request would spend CPU each time and, at
//! tower-http's default brotli quality (4), send a larger bundle. Instead
//! each file is compressed once, at the highest settings, into `.br` and
//! `.gz` siblings that `ServeDir` picks by `Accept-Encoding`. Siblings are
//! rewritten only when missing or older than their source, so restarts
//! after the first cost a few `stat` calls.
//!
//! Under `cargo leptos watch` the wasm is rebuilt without restarting the
//! server, so siblings would go stale: there the bundle is served as is.

use std::{
    fs,
    io::{self, Write},
    path::Path,
};

use tower_http::services::ServeDir;

const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "svg"];

/// The service for `/pkg`; `precompressed` picks `.br`/`.gz` siblings.
pub fn serve_pkg(pkg_dir: &Path, precompressed: bool) -> ServeDir {
    let dir = ServeDir::new(pkg_dir);
    if precompressed {
        dir.precompressed_br().precompressed_gzip()
    } else {
        dir
    }
}

/// Writes missing or stale `.br` and `.gz` files for every compressible file
/// in `dir`; returns how many files it compressed. A missing `dir` (tests,
/// or a server started before its first build) is not an error.
pub fn precompress(dir: &Path) -> io::Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut done = 0;
    for entry in entries {
        let path = entry?.path();
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible || !path.is_file() {
            continue;
        }
        let br = sibling(&path, "br");
        let gz = sibling(&path, "gz");
        if is_fresh(&path, &br)? && is_fresh(&path, &gz)? {
            continue;
        }
        let data = fs::read(&path)?;
        write_atomically(&br, &brotli_max(&data)?)?;
        write_atomically(&gz, &gzip_max(&data)?)?;
        done += 1;
    }
    Ok(done)
}

fn sibling(path: &Path, ext: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    name.into()
}

fn is_fresh(source: &Path, derived: &Path) -> io::Result<bool> {
    let Ok(derived) = fs::metadata(derived) else {
        return Ok(false);
    };
    Ok(derived.modified()? >= fs::metadata(source)?.modified()?)
}

/// Write then rename, so a request never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = sibling(path, "tmp");
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

fn brotli_max(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 3);
    {
        // quality 11, window 2^22: the smallest output brotli makes.
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        w.write_all(data)?;
        w.flush()?;
    }
    Ok(out)
}

fn gzip_max(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data)?;
    enc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn writes_smaller_siblings_once_and_refreshes_stale_ones() -> TestResult {
        let dir = tempfile::tempdir()?;
        let wasm = dir.path().join("app.wasm");
        fs::write(&wasm, "wasm ".repeat(10_000))?;
        fs::write(dir.path().join("notes.txt"), "not compressible")?;

        assert_eq!(precompress(dir.path())?, 1);
        let br = fs::read(dir.path().join("app.wasm.br"))?;
        assert!(br.len() < 1_000, "{}", br.len());
        assert!(!dir.path().join("notes.txt.br").exists());
        // Fresh siblings are left alone.
        assert_eq!(precompress(dir.path())?, 0);

        // A rebuilt source makes them stale.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&wasm, "new build ".repeat(10_000))?;
        assert_eq!(precompress(dir.path())?, 1);
        let mut round_trip = Vec::new();
        brotli::BrotliDecompress(
            &mut &fs::read(dir.path().join("app.wasm.br"))?[..],
            &mut round_trip,
        )?;
        assert_eq!(round_trip, fs::read(&wasm)?);
        Ok(())
    }

    #[test]
    fn a_missing_folder_is_fine() -> TestResult {
        assert_eq!(precompress(Path::new("/no/such/pkg"))?, 0);
        Ok(())
    }
}
