//! The task bodies the mock serves, one per task id.

use std::collections::BTreeMap;
use std::path::Path;

use bytes::Bytes;

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

/// Response bodies keyed by task id.
#[derive(Debug, Clone, Default)]
pub struct Fixtures {
    tasks: BTreeMap<i64, Bytes>,
}

impl Fixtures {
    /// No tasks.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The workspace's `fixtures/`, embedded at build time. Files named `error_*` (inputs that
    /// are not a task) are left out; where two files carry the same task id, the first by name
    /// wins.
    pub fn embedded() -> Self {
        let mut fixtures = Self::empty();
        for (name, bytes) in EMBEDDED {
            if !name.starts_with("error_") {
                fixtures.add_envelope(Bytes::from_static(bytes));
            }
        }
        fixtures
    }

    /// Every `*.json` in `dir` that holds a task, as [`Fixtures::embedded`] reads them.
    pub fn from_dir(dir: &Path) -> std::io::Result<Self> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        let mut fixtures = Self::empty();
        for path in paths {
            fixtures.add_envelope(Bytes::from(std::fs::read(&path)?));
        }
        Ok(fixtures)
    }

    /// Adds a whole response envelope, served for the task id found in it (`data.task_id`, or
    /// `data.records[0].task_id`). Returns the id, or `None` when the envelope names no task.
    pub fn add_envelope(&mut self, body: Bytes) -> Option<i64> {
        let task_id = task_id_of(&body)?;
        self.tasks.entry(task_id).or_insert(body);
        Some(task_id)
    }

    /// Serves `body` (any bytes) for `task_id`, replacing what was there.
    pub fn insert(&mut self, task_id: i64, body: impl Into<Bytes>) {
        self.tasks.insert(task_id, body.into());
    }

    /// The body served for `task_id`.
    pub fn get(&self, task_id: i64) -> Option<&Bytes> {
        self.tasks.get(&task_id)
    }

    /// The task ids served.
    pub fn task_ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.tasks.keys().copied()
    }
}

/// The task id in an envelope, read loosely (number or decimal string).
fn task_id_of(body: &[u8]) -> Option<i64> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let data = value.get("data")?;
    let task = data.get("records").and_then(|r| r.get(0)).unwrap_or(data);
    match task.get("task_id")? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fixtures_are_keyed_by_task_id() {
        let fixtures = Fixtures::embedded();
        assert!(fixtures.get(54).is_some(), "the README's task 54");
        assert!(fixtures.get(i64::MAX).is_some(), "string_longs");
        assert!(fixtures.get(221).is_some(), "page form");
        assert!(fixtures.get(226).is_some(), "behind a byte-order mark");
        assert!(fixtures.task_ids().count() > 30);
    }
}
