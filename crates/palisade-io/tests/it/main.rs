//! Bad-input tests for reading: every way a file can be wrong must end in located diagnostics,
//! never a panic, and must not stop the other documents and files from being read.

mod bad_text;
mod discovery;
mod large;
mod limits;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use palisade_core::inventory::Inventory;
use palisade_core::load::{Diagnostic, Level};
use palisade_core::scan::scan;
use palisade_io::{LoadedInputs, ReadOptions, load_paths};

/// A directory under the system temporary directory, removed when dropped.
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl Scratch {
    /// A fresh, empty directory unique to this process and call.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "palisade-io-it-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes `bytes` to `name` (creating parent directories) and returns the full path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The directory itself.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Loads `paths` with `options`, then runs every check on the result so that bad shapes are
/// exercised past the loader too.
pub fn load_and_scan(paths: &[PathBuf], options: &ReadOptions) -> LoadedInputs {
    let loaded = load_paths(paths, options);
    let objects = loaded.objects.clone();
    let checks: Vec<_> = palisade_core::checks::all().collect();
    let _ = scan(
        &Inventory::new(objects),
        &checks,
        jiff::civil::date(2026, 1, 1),
    );
    loaded
}

/// Loads with default options.
pub fn load(paths: &[PathBuf]) -> LoadedInputs {
    load_and_scan(paths, &ReadOptions::default())
}

/// The error diagnostics only.
pub fn errors(loaded: &LoadedInputs) -> Vec<&Diagnostic> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .collect()
}

/// A small valid Pod named `name`.
pub fn pod(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n"
    )
}

/// The names of the loaded objects, in order.
pub fn names(loaded: &LoadedInputs) -> Vec<&str> {
    loaded.objects.iter().map(|o| &*o.name).collect()
}
