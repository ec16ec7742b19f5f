//! The built wasm, JS and CSS (`<site root>/pkg`), served from a snapshot
//! taken at start-up, precompressed.
//!
//! # Why a snapshot
//! Every encoding of a file is made from the very bytes served as its
//! identity encoding: at start-up each file is read **once**, and its
//! brotli (quality 11) and gzip (level 9) forms are made from that read and
//! kept in memory beside it. An earlier design kept `.br`/`.gz` siblings on
//! disk, remade when older than their source: siblings made while the
//! source was still being replaced by a build were newer than the final
//! file, so they were never remade, and a stale pre-`wasm-opt` bundle was
//! served for good. Here a compressed form cannot disagree with its source,
//! and a build replacing files under a running server changes nothing it
//! serves (the server and the bundle it was started with stay a pair).
//!
//! Compressing the wasm at quality 11 takes seconds, so results are cached
//! on disk under `<pkg>/.compressed/`, named by the BLAKE2b hash of the
//! source bytes they were made from (written whole, then renamed): a cache
//! file is only ever used for exactly the bytes it was made from.
//!
//! # Caching
//! Every response carries an `ETag` (the content hash) and
//! `Cache-Control: no-cache`: browsers keep the bundle and revalidate it
//! with one request answered `304 Not Modified`, so a new build is picked
//! up at the next load and an unchanged one costs no download. (The file
//! names carry no hash, so a longer `max-age` could pair a new page with an
//! old bundle.)
//!
//! Under `cargo leptos watch` the wasm is rebuilt without restarting the
//! server: there the folder is served from disk as it is, never from a
//! snapshot or cache ([`serve_from_disk`]).

use std::{
    collections::HashMap,
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
    sync::Arc,
};

use axum::{
    body::Body,
    extract::{Path as UrlPath, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use blake2::{Blake2b512, Digest};
use tower_http::services::ServeDir;

/// Extensions worth compressing (the rest are served as they are).
const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "svg", "json", "map", "txt"];
/// Where compressed forms are cached, inside the pkg folder.
const CACHE_DIR: &str = ".compressed";

/// One file of the bundle, in every encoding it is served in.
#[derive(Debug)]
struct Asset {
    identity: axum::body::Bytes,
    br: Option<axum::body::Bytes>,
    gzip: Option<axum::body::Bytes>,
    /// `"<hex of the first 16 bytes of BLAKE2b-512>"`, quotes included.
    etag: HeaderValue,
    content_type: HeaderValue,
}

/// The bundle as read at start-up, by path relative to the pkg folder
/// (`parley.wasm`, `snippets/…`).
#[derive(Debug, Default)]
pub struct Bundle {
    files: HashMap<String, Asset>,
}

impl Bundle {
    /// Files in the snapshot.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Reads every file under `pkg_dir` once and prepares its encodings (from
/// the disk cache when it has them for these exact bytes). A missing
/// folder (tests, or a server started before its first build) is an empty
/// bundle. Blocking: call it on the blocking pool.
pub fn snapshot(pkg_dir: &Path) -> io::Result<Bundle> {
    let mut bundle = Bundle::default();
    let mut used_cache = Vec::new();
    for path in files_under(pkg_dir)? {
        let Ok(relative) = path.strip_prefix(pkg_dir) else {
            continue;
        };
        let Some(key) = relative.to_str().map(|k| k.replace('\\', "/")) else {
            continue;
        };
        let bytes = fs::read(&path)?;
        let hash = content_hash(&bytes);
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let (br, gzip) = if COMPRESSIBLE.contains(&ext) {
            let cache = pkg_dir.join(CACHE_DIR);
            let br = cached(&cache, &hash, "br", &bytes, brotli_max)?;
            let gzip = cached(&cache, &hash, "gz", &bytes, gzip_max)?;
            used_cache.push(format!("{hash}.br"));
            used_cache.push(format!("{hash}.gz"));
            (Some(br.into()), Some(gzip.into()))
        } else {
            (None, None)
        };
        let etag = HeaderValue::from_str(&format!("\"{hash}\""))
            .map_err(|e| io::Error::other(format!("an ETag for {key}: {e}")))?;
        bundle.files.insert(
            key,
            Asset {
                identity: bytes.into(),
                br,
                gzip,
                etag,
                content_type: HeaderValue::from_static(content_type(ext)),
            },
        );
    }
    forget_unused(&pkg_dir.join(CACHE_DIR), &used_cache);
    Ok(bundle)
}

/// The service for `/pkg` from a snapshot.
pub fn serve_snapshot(bundle: Bundle) -> Router {
    Router::new()
        .route("/{*file}", get(serve_file))
        .with_state(Arc::new(bundle))
}

/// The service for `/pkg` under `cargo leptos watch`: the folder as it is
/// on disk (compressed on the fly by the router's compression layer).
pub fn serve_from_disk(pkg_dir: &Path) -> ServeDir {
    ServeDir::new(pkg_dir)
}

async fn serve_file(
    State(bundle): State<Arc<Bundle>>,
    UrlPath(file): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = bundle.files.get(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut res = if if_none_match(&headers, &asset.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let accepted = accepted_encodings(&headers);
        let (body, encoding) = match (&asset.br, &asset.gzip) {
            (Some(br), _) if accepted.br => (br.clone(), Some("br")),
            (_, Some(gz)) if accepted.gzip => (gz.clone(), Some("gzip")),
            _ => (asset.identity.clone(), None),
        };
        let mut res = Body::from(body).into_response();
        if let Some(encoding) = encoding {
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        res.headers_mut()
            .insert(header::CONTENT_TYPE, asset.content_type.clone());
        res
    };
    let h = res.headers_mut();
    h.insert(header::ETAG, asset.etag.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if asset.br.is_some() {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

/// Which compressed encodings the client takes (`q=0` means refused).
#[derive(Debug, Default, PartialEq, Eq)]
struct Accepted {
    br: bool,
    gzip: bool,
}

fn accepted_encodings(headers: &HeaderMap) -> Accepted {
    let mut accepted = Accepted::default();
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or("").to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            match name.as_str() {
                "br" => accepted.br = !refused,
                "gzip" | "x-gzip" => accepted.gzip = !refused,
                _ => {}
            }
        }
    }
    accepted
}

fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

fn content_type(ext: &str) -> &'static str {
    match ext {
        "wasm" => "application/wasm",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" | "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// Hex of the first 16 bytes of BLAKE2b-512 over `bytes`.
fn content_hash(bytes: &[u8]) -> String {
    Blake2b512::digest(bytes)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The compressed form of `bytes` (whose hash is `hash`): from the cache if
/// it holds one made from these bytes, else made now and cached.
fn cached(
    cache: &Path,
    hash: &str,
    ext: &str,
    bytes: &[u8],
    compress: fn(&[u8]) -> io::Result<Vec<u8>>,
) -> io::Result<Vec<u8>> {
    let path = cache.join(format!("{hash}.{ext}"));
    if let Ok(done) = fs::read(&path) {
        return Ok(done);
    }
    let made = compress(bytes)?;
    // A read-only site folder still serves, compressing at each start.
    if let Err(e) = fs::create_dir_all(cache).and_then(|()| write_atomically(&path, &made)) {
        tracing::warn!("cannot cache {}: {e}", path.display());
    }
    Ok(made)
}

/// Removes cache files made for bytes no longer in the bundle.
fn forget_unused(cache: &Path, used: &[String]) {
    let Ok(entries) = fs::read_dir(cache) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !used.iter().any(|u| name.to_str() == Some(u)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Every regular file under `dir`, recursively, skipping the cache.
fn files_under(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() && entry.file_name() != CACHE_DIR {
            files.extend(files_under(&path)?);
        } else if kind.is_file() {
            files.push(path);
        }
    }
    Ok(files)
}

/// Write a temporary file then rename it, so a reader never sees half.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
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

    fn unbrotli(bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &bytes[..], &mut out)?;
        Ok(out)
    }

    #[test]
    fn every_encoding_is_made_from_the_bytes_served() -> TestResult {
        let dir = tempfile::tempdir()?;
        let wasm = dir.path().join("app.wasm");
        fs::write(&wasm, "wasm ".repeat(10_000))?;
        fs::create_dir_all(dir.path().join("snippets"))?;
        fs::write(dir.path().join("snippets/a.js"), "export const a = 1;")?;
        fs::write(dir.path().join("logo.png"), [0x89, b'P', b'N', b'G'])?;

        let bundle = snapshot(dir.path())?;
        assert_eq!(bundle.len(), 3);
        let a = &bundle.files["app.wasm"];
        let br = a.br.as_ref().ok_or("no br")?;
        assert!(br.len() < 1_000, "{}", br.len());
        assert_eq!(unbrotli(br)?, a.identity.to_vec());
        assert!(bundle.files["snippets/a.js"].gzip.is_some());
        assert!(bundle.files["logo.png"].br.is_none());
        Ok(())
    }

    #[test]
    fn a_cached_or_sibling_file_made_from_other_bytes_is_never_used() -> TestResult {
        let dir = tempfile::tempdir()?;
        let wasm = dir.path().join("app.wasm");
        fs::write(&wasm, "old build ".repeat(10_000))?;
        snapshot(dir.path())?;
        // A new build replaces the source; siblings from an earlier design
        // (newer than the source, made from something else) lie beside it.
        fs::write(&wasm, "new build ".repeat(10_000))?;
        fs::write(dir.path().join("app.wasm.br"), brotli_max(b"stale")?)?;
        let bundle = snapshot(dir.path())?;
        let a = &bundle.files["app.wasm"];
        assert_eq!(unbrotli(a.br.as_ref().ok_or("no br")?)?, fs::read(&wasm)?);
        // The old build's cache files are gone; the new one's are there.
        let cached: Vec<_> = fs::read_dir(dir.path().join(CACHE_DIR))?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(cached.len(), 2, "{cached:?}");
        // A corrupted cache file under the right name would be a lie too,
        // but names are hashes of the source: a different source never
        // reads it.
        Ok(())
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let headers = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
            h
        };
        let acc = |v| accepted_encodings(&headers(v));
        assert_eq!(
            acc("gzip, deflate, br"),
            Accepted {
                br: true,
                gzip: true
            }
        );
        assert_eq!(
            acc("gzip;q=1.0, br;q=0"),
            Accepted {
                br: false,
                gzip: true
            }
        );
        assert_eq!(acc("identity"), Accepted::default());
        assert_eq!(
            acc("BR"),
            Accepted {
                br: true,
                gzip: false
            }
        );
    }

    #[test]
    fn a_missing_folder_is_an_empty_bundle() -> TestResult {
        assert!(snapshot(Path::new("/no/such/pkg"))?.is_empty());
        Ok(())
    }
}
