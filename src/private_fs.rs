//! Files and directories only the service account may open. The data directory holds ID numbers, password hashes
//! and every teacher's material, and a backup holds all of it, so what zhiping creates is 0600 (files) / 0700
//! (directories) whatever umask it was started with. The process umask is also set to 077 at start, for the
//! files that libraries create on their own (redb's database, tantivy's segments).

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

pub const FILE_MODE: u32 = 0o600;
pub const DIR_MODE: u32 = 0o700;

/// Sets the process umask to 077; called first thing in `main`, before any file is created.
pub fn restrict_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// `create_dir_all` with 0700 for every directory it creates.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(path)
}

/// Async `create_dir_all` with 0700 for every directory it creates.
pub async fn create_dir_all_async(path: &Path) -> io::Result<()> {
    tokio::fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(path).await
}

/// Options that create a new file (never an existing one) readable by its owner only.
pub fn create_new() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true).mode(FILE_MODE);
    options
}

/// Async [`create_new`].
pub fn create_new_async() -> tokio::fs::OpenOptions {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true).mode(FILE_MODE);
    options
}

/// Narrows an existing file (one a library created, or one left by an older version) to 0600.
pub fn restrict_file(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(FILE_MODE))
}

/// Narrows an existing directory to 0700.
pub fn restrict_dir(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(DIR_MODE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_do_not_depend_on_the_umask() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("a/b");
        create_dir_all(&dir).unwrap();
        let file = dir.join("f");
        create_new().open(&file).unwrap();
        for (path, mode) in [(temp.path().join("a"), DIR_MODE), (dir.clone(), DIR_MODE), (file, FILE_MODE)] {
            let actual = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(actual, mode, "{}", path.display());
        }
    }
}
