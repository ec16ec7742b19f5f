// New or changed migrations must rebuild the binary that embeds them
// (sqlx::migrate!); cargo watches a folder's own entries, so each backend's
// folder is named.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=../migrations/sqlite");
    println!("cargo:rerun-if-changed=../migrations/postgres");
}
