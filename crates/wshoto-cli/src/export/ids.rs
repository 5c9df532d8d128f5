//! Which task ids to export: arguments, `--ids` ranges and lists, `--ids-file`; each id once.
//!
//! Ranges are never expanded into memory: the ids are produced one at a time, and the set of
//! ids already produced (or already exported, on resume) is kept as disjoint intervals, so a
//! range of a million ids costs a few bytes.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::exit::Failure;

/// A part of the id list, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Every id from the first to the second, both included.
    Range(i64, i64),
    /// These ids.
    List(Vec<i64>),
}

/// Parses `--ids`: comma-separated ids and `first-last` ranges, such as `1-5000,7001,7002`.
pub fn parse_spec(spec: &str) -> Result<Vec<Segment>, Failure> {
    let mut segments = Vec::new();
    let mut singles = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || {
            Failure::usage(format!(
                "--ids: {part:?} is not a task id or a range first-last"
            ))
        };
        // A leading minus belongs to the first number (a range needs a second `-`).
        let split_at = part
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == '-')
            .map(|(i, _)| i);
        match split_at {
            None => singles.push(part.parse().map_err(|_| bad())?),
            Some(at) => {
                let first: i64 = part[..at].trim().parse().map_err(|_| bad())?;
                let last: i64 = part[at + 1..].trim().parse().map_err(|_| bad())?;
                if first > last {
                    return Err(Failure::usage(format!(
                        "--ids: the range {part:?} runs backwards"
                    )));
                }
                if !singles.is_empty() {
                    segments.push(Segment::List(std::mem::take(&mut singles)));
                }
                segments.push(Segment::Range(first, last));
            }
        }
    }
    if !singles.is_empty() {
        segments.push(Segment::List(singles));
    }
    if segments.is_empty() {
        return Err(Failure::usage(format!("--ids: {spec:?} holds no task id")));
    }
    Ok(segments)
}

/// Task ids from a file (or standard input for `-`): one per line; blank lines and `#` comments
/// are skipped.
pub fn read_file(path: &Path) -> Result<Vec<i64>, Failure> {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        Box::new(BufReader::new(std::fs::File::open(path).map_err(|e| {
            Failure::io(format!("cannot read {}: {e}", path.display()))
        })?))
    };
    let mut ids = Vec::new();
    for (number, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
        let text = line.split('#').next().unwrap_or_default().trim();
        if text.is_empty() {
            continue;
        }
        let id = text.parse().map_err(|_| {
            Failure::usage(format!(
                "{} line {}: {:?} is not a task id",
                path.display(),
                number + 1,
                crate::text::excerpt(text)
            ))
        })?;
        ids.push(id);
    }
    Ok(ids)
}

/// A set of ids kept as disjoint, non-adjacent intervals `start → end` (both included).
#[derive(Debug, Clone, Default)]
pub struct IdSet {
    intervals: BTreeMap<i64, i64>,
}

impl IdSet {
    /// Whether `id` is in the set.
    pub fn contains(&self, id: i64) -> bool {
        self.intervals
            .range(..=id)
            .next_back()
            .is_some_and(|(_, end)| *end >= id)
    }

    /// Adds `id`; `false` when it was there already.
    pub fn insert(&mut self, id: i64) -> bool {
        if self.contains(id) {
            return false;
        }
        let joins_left = id.checked_sub(1).and_then(|before| {
            self.intervals
                .range(..=before)
                .next_back()
                .filter(|(_, end)| **end == before)
                .map(|(start, _)| *start)
        });
        let joins_right = id
            .checked_add(1)
            .and_then(|after| self.intervals.get(&after).map(|end| (after, *end)));
        let start = joins_left.unwrap_or(id);
        let end = match joins_right {
            Some((after, end)) => {
                self.intervals.remove(&after);
                end
            }
            None => id,
        };
        self.intervals.insert(start, end);
        true
    }

    /// How many intervals the set holds (its memory, not its size).
    #[cfg(test)]
    pub fn intervals(&self) -> usize {
        self.intervals.len()
    }
}

/// The ids to fetch, each once, in the order given, leaving out those in `skip`: produced one at
/// a time.
#[derive(Debug)]
pub struct Ids {
    segments: std::vec::IntoIter<Segment>,
    current: Option<SegmentIter>,
    seen: IdSet,
    skip: IdSet,
    /// Ids left out because they were in `skip`.
    skipped: u64,
}

#[derive(Debug)]
enum SegmentIter {
    Range(std::ops::RangeInclusive<i64>),
    List(std::vec::IntoIter<i64>),
}

impl Ids {
    /// The distinct ids of `segments`, without those in `skip`.
    pub fn new(segments: Vec<Segment>, skip: IdSet) -> Self {
        Self {
            segments: segments.into_iter(),
            current: None,
            seen: IdSet::default(),
            skip,
            skipped: 0,
        }
    }

    /// Counts what [`Ids::new`] would produce, and how many it would skip, without keeping
    /// the ids.
    pub fn count(segments: &[Segment], skip: &IdSet) -> (u64, u64) {
        let mut ids = Self::new(segments.to_vec(), skip.clone());
        let produced = ids.by_ref().count() as u64;
        (produced, ids.skipped)
    }

    fn next_raw(&mut self) -> Option<i64> {
        loop {
            let next = match self.current.as_mut() {
                Some(SegmentIter::Range(range)) => range.next(),
                Some(SegmentIter::List(list)) => list.next(),
                None => None,
            };
            if next.is_some() {
                return next;
            }
            self.current = Some(match self.segments.next()? {
                Segment::Range(first, last) => SegmentIter::Range(first..=last),
                Segment::List(list) => SegmentIter::List(list.into_iter()),
            });
        }
    }
}

impl Iterator for Ids {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        loop {
            let id = self.next_raw()?;
            if !self.seen.insert(id) {
                continue;
            }
            if self.skip.contains(id) {
                self.skipped += 1;
                continue;
            }
            return Some(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_hold_ranges_and_lists() {
        assert_eq!(
            parse_spec("1-3, 7001,7002,10-10").expect("valid"),
            [
                Segment::Range(1, 3),
                Segment::List(vec![7001, 7002]),
                Segment::Range(10, 10)
            ]
        );
        assert_eq!(
            parse_spec("-5--3,-1").expect("negative ids"),
            [Segment::Range(-5, -3), Segment::List(vec![-1])]
        );
        for bad in ["", ",", "a", "1-", "5-1", "1-2-3", "1..3"] {
            let error = parse_spec(bad).expect_err(bad);
            assert!(error.message.starts_with("--ids: "), "{}", error.message);
        }
    }

    #[test]
    fn each_id_comes_once_in_the_order_given_and_skips_are_counted() {
        let segments = vec![
            Segment::List(vec![9, 3, 9]),
            Segment::Range(1, 5),
            Segment::List(vec![5, 100]),
        ];
        let mut skip = IdSet::default();
        skip.insert(4);
        skip.insert(100);
        let ids: Vec<i64> = Ids::new(segments.clone(), skip.clone()).collect();
        assert_eq!(ids, [9, 3, 1, 2, 5]);
        assert_eq!(Ids::count(&segments, &skip), (5, 2));
    }

    #[test]
    fn the_set_merges_neighbours_into_intervals() {
        let mut set = IdSet::default();
        for id in (1..=100_000).rev() {
            assert!(set.insert(id));
        }
        assert_eq!(set.intervals(), 1, "a contiguous run is one interval");
        assert!(!set.insert(50_000));
        assert!(set.insert(i64::MAX) && set.insert(i64::MIN));
        assert!(set.insert(100_002));
        assert_eq!(set.intervals(), 4);
        assert!(set.insert(100_001));
        assert_eq!(set.intervals(), 3, "the gap closed");
        assert!(set.contains(100_001) && set.contains(1) && !set.contains(0));
        assert!(set.contains(i64::MAX) && set.contains(i64::MIN) && !set.contains(-1));
    }

    #[test]
    fn a_million_ids_from_a_range_cost_one_interval() {
        let mut ids = Ids::new(vec![Segment::Range(1, 1_000_000)], IdSet::default());
        assert_eq!(ids.by_ref().count(), 1_000_000);
        assert_eq!(ids.seen.intervals(), 1);
    }
}
