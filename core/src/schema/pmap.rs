//! [`PMap`]: an ordered map whose copies share what they have in common, so that the schema
//! model can keep a catalog per revision and copy one to change it at a cost that does not
//! grow with the schema.
//!
//! The entries are kept in order in chunks of at most [`MAX_CHUNK`], each behind an [`Arc`],
//! and the chunks in groups of at most [`MAX_GROUP`], each behind an [`Arc`] too. Cloning a
//! map copies the list of group pointers; changing an entry copies its group's list of chunk
//! pointers and its chunk (when another map shares them). Reading is a binary search over the
//! groups, then over the group's chunks, then a lookup in one [`BTreeMap`]. Comparing two maps
//! skips the chunks they share. The methods have the names and signatures of [`BTreeMap`]'s.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The most entries a chunk holds before it is split in two.
pub const MAX_CHUNK: usize = 16;

/// The most chunks a group holds before it is split in two.
pub const MAX_GROUP: usize = 32;

type Chunk<K, V> = Arc<BTreeMap<K, V>>;

/// An ordered map with cheap copies (see the module's documentation).
pub struct PMap<K, V> {
    /// Non-empty groups of non-empty chunks, in key order: every key of a chunk is below
    /// every key of the next. Two levels, so that copying the map copies
    /// `len / (MAX_CHUNK * MAX_GROUP)` pointers or so, and changing it one group's list.
    groups: Vec<Arc<Vec<Chunk<K, V>>>>,
    len: usize,
}

impl<K, V> Clone for PMap<K, V> {
    fn clone(&self) -> Self {
        PMap {
            groups: self.groups.clone(),
            len: self.len,
        }
    }
}

impl<K, V> Default for PMap<K, V> {
    fn default() -> Self {
        PMap {
            groups: Vec::new(),
            len: 0,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for PMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The first key of a chunk.
fn first<K: Ord, V>(c: &Chunk<K, V>) -> Option<&K> {
    c.first_key_value().map(|(k, _)| k)
}

impl<K, V> PMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunks in key order.
    fn chunks(&self) -> impl DoubleEndedIterator<Item = &Chunk<K, V>> + Clone {
        self.groups.iter().flat_map(|g| g.iter())
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + Clone {
        self.chunks().flat_map(|c| c.iter())
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + Clone {
        self.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + Clone {
        self.iter().map(|(_, v)| v)
    }

    /// The group and the chunk that hold `key`, or would: the last whose first key is not
    /// above it.
    fn chunk_of<Q>(&self, key: &Q) -> Option<(usize, usize)>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        let not_above = |c: &Chunk<K, V>| first(c).is_some_and(|f| f.borrow() <= key);
        let g = self
            .groups
            .partition_point(|g| g.first().is_some_and(not_above))
            .checked_sub(1)
            .or((!self.groups.is_empty()).then_some(0))?;
        let c = self.groups[g].partition_point(not_above).saturating_sub(1);
        Some((g, c))
    }

    /// The group and the chunk that hold `key`, if one does.
    fn chunk_holding<Q>(&self, key: &Q) -> Option<(usize, usize)>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.chunk_of(key)
            .filter(|&(g, c)| self.groups[g][c].contains_key(key))
    }

    /// The value of `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        let (g, c) = self.chunk_of(key)?;
        self.groups[g][c].get(key)
    }

    /// Whether `key` has a value.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q> + Ord,
        Q: Ord + ?Sized,
    {
        self.get(key).is_some()
    }
}

impl<K: Ord + Clone, V: Clone> PMap<K, V> {
    /// The value of `key`, to change (its chunk is copied if shared).
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (g, c) = self.chunk_holding(key)?;
        Arc::make_mut(&mut Arc::make_mut(&mut self.groups[g])[c]).get_mut(key)
    }

    /// Sets `key` to `value`; returns the value it had.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let Some((g, c)) = self.chunk_of(&key) else {
            self.groups
                .push(Arc::new(vec![Arc::new(BTreeMap::from([(key, value)]))]));
            self.len = 1;
            return None;
        };
        let group = Arc::make_mut(&mut self.groups[g]);
        let chunk = Arc::make_mut(&mut group[c]);
        let old = chunk.insert(key, value);
        if old.is_none() {
            self.len += 1;
            if chunk.len() > MAX_CHUNK {
                let middle = chunk.keys().nth(chunk.len() / 2).cloned();
                if let Some(middle) = middle {
                    let upper = chunk.split_off(&middle);
                    group.insert(c + 1, Arc::new(upper));
                }
            }
            if group.len() > MAX_GROUP {
                let upper = group.split_off(group.len() / 2);
                self.groups.insert(g + 1, Arc::new(upper));
            }
        }
        old
    }

    /// Removes `key`; returns its value.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (g, c) = self.chunk_holding(key)?;
        let group = Arc::make_mut(&mut self.groups[g]);
        let chunk = Arc::make_mut(&mut group[c]);
        let old = chunk.remove(key);
        if chunk.is_empty() {
            group.remove(c);
            if group.is_empty() {
                self.groups.remove(g);
            }
        }
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    /// Keeps the entries for which `keep` holds (it may change them).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        for g in &mut self.groups {
            let group = Arc::make_mut(g);
            for c in group.iter_mut() {
                Arc::make_mut(c).retain(&mut keep);
            }
            group.retain(|c| !c.is_empty());
        }
        self.groups.retain(|g| !g.is_empty());
        self.len = self.chunks().map(|c| c.len()).sum();
    }

    /// Every value, to change (every chunk is copied if shared).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.groups.iter_mut().flat_map(|g| {
            Arc::make_mut(g)
                .iter_mut()
                .flat_map(|c| Arc::make_mut(c).values_mut())
        })
    }
}

/// How many items two lists share (by pointer) at their start and, after that, at their end.
fn shared_ends<T>(a: &[&Arc<T>], b: &[&Arc<T>]) -> (usize, usize) {
    let prefix = a
        .iter()
        .zip(b.iter())
        .take_while(|(x, y)| Arc::ptr_eq(x, y))
        .count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| Arc::ptr_eq(x, y))
        .count();
    (prefix, suffix)
}

impl<K, V> PMap<K, V> {
    /// The entries of `self` and of `other` outside the chunks the two share at their start
    /// and their end: everything that may differ between a map and a copy of it that was
    /// changed, found without reading what the copy did not touch.
    pub fn unshared<'a>(
        &'a self,
        other: &'a Self,
    ) -> (
        impl Iterator<Item = (&'a K, &'a V)>,
        impl Iterator<Item = (&'a K, &'a V)>,
    ) {
        let (ga, gb): (Vec<_>, Vec<_>) =
            (self.groups.iter().collect(), other.groups.iter().collect());
        let (p, s) = shared_ends(&ga, &gb);
        let ca: Vec<&Chunk<K, V>> = ga[p..ga.len() - s].iter().flat_map(|g| g.iter()).collect();
        let cb: Vec<&Chunk<K, V>> = gb[p..gb.len() - s].iter().flat_map(|g| g.iter()).collect();
        let (p, s) = shared_ends(&ca, &cb);
        let (ea, eb) = (ca.len() - s, cb.len() - s);
        (
            ca.into_iter().take(ea).skip(p).flat_map(|c| c.iter()),
            cb.into_iter().take(eb).skip(p).flat_map(|c| c.iter()),
        )
    }
}

/// The next entry of a walk over `chunks`: `it` is the chunk being read (`None` between
/// chunks), `i` the next chunk to read.
fn next_entry<'a, K, V>(
    chunks: &[&'a Chunk<K, V>],
    i: &mut usize,
    it: &mut Option<std::collections::btree_map::Iter<'a, K, V>>,
) -> Option<(&'a K, &'a V)> {
    if it.is_none() {
        *it = Some(chunks.get(*i)?.iter());
        *i += 1;
    }
    let entry = it.as_mut().and_then(Iterator::next);
    if it.as_ref().is_some_and(|t| t.len() == 0) {
        *it = None;
    }
    entry
}

impl<K: PartialEq, V: PartialEq> PartialEq for PMap<K, V> {
    /// The same entries. Groups shared at the start and at the end are skipped unread, and
    /// so is every shared chunk met where both walks are between chunks.
    fn eq(&self, other: &Self) -> bool {
        if self.len != other.len {
            return false;
        }
        let (ga, gb): (Vec<_>, Vec<_>) =
            (self.groups.iter().collect(), other.groups.iter().collect());
        let (p, s) = shared_ends(&ga, &gb);
        let ca: Vec<&Chunk<K, V>> = ga[p..ga.len() - s].iter().flat_map(|g| g.iter()).collect();
        let cb: Vec<&Chunk<K, V>> = gb[p..gb.len() - s].iter().flat_map(|g| g.iter()).collect();
        let (mut i, mut j) = (0, 0);
        let (mut ita, mut itb) = (None, None);
        loop {
            if ita.is_none() && itb.is_none() {
                while i < ca.len() && j < cb.len() && Arc::ptr_eq(ca[i], cb[j]) {
                    i += 1;
                    j += 1;
                }
            }
            match (
                next_entry(&ca, &mut i, &mut ita),
                next_entry(&cb, &mut j, &mut itb),
            ) {
                (Some(x), Some(y)) if x == y => {}
                (None, None) => return true,
                _ => return false,
            }
        }
    }
}

impl<K: Eq, V: Eq> Eq for PMap<K, V> {}

impl<K: Ord + Clone, V: Clone> FromIterator<(K, V)> for PMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = PMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl<'a, K, V> IntoIterator for &'a PMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Box<dyn DoubleEndedIterator<Item = (&'a K, &'a V)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_btree_map_and_shares_chunks() {
        let mut m: PMap<u32, String> = PMap::new();
        let mut reference = BTreeMap::new();
        // A scrambled order, with repeats and removals, across many chunks.
        for i in 0..2000u32 {
            let k = (i * 7919) % 1000;
            if i % 5 == 4 {
                assert_eq!(m.remove(&k), reference.remove(&k), "remove {k}");
            } else {
                assert_eq!(
                    m.insert(k, format!("v{i}")),
                    reference.insert(k, format!("v{i}")),
                    "insert {k}"
                );
            }
            assert_eq!(m.len(), reference.len());
        }
        assert!(m.iter().eq(reference.iter()));
        assert!(m.iter().rev().eq(reference.iter().rev()));
        assert!(
            m.chunks().all(|c| !c.is_empty() && c.len() <= MAX_CHUNK)
                && m.groups
                    .iter()
                    .all(|g| !g.is_empty() && g.len() <= MAX_GROUP)
        );
        for k in 0..1000 {
            assert_eq!(m.get(&k), reference.get(&k));
        }
        assert_eq!(m.get(&5000), None);

        // A copy shares every chunk; a change copies one.
        let mut copy = m.clone();
        assert!(copy == m);
        let k = *m.keys().nth(m.len() / 2).expect("entries");
        *copy.get_mut(&k).expect("there") = "changed".into();
        let shared = m
            .chunks()
            .zip(copy.chunks())
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert_eq!(shared, m.chunks().count() - 1);
        let groups_shared = m
            .groups
            .iter()
            .zip(copy.groups.iter())
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert!(m.groups.len() > 1, "the test spans several groups");
        assert_eq!(groups_shared, m.groups.len() - 1);
        assert!(copy != m);
        assert_eq!(m.get(&k), reference.get(&k), "the original is unchanged");
        *copy.get_mut(&k).expect("there") = reference[&k].clone();
        assert!(copy == m, "equal again, though one chunk is a copy");
        let (a, b) = m.unshared(&copy);
        assert!(a.count() <= MAX_CHUNK && b.count() <= MAX_CHUNK);

        // Entries added near the start and at the end and removed again: equal, whatever
        // was copied.
        let low = (0..100)
            .find(|k| !m.contains_key(k))
            .expect("a key left out");
        let mut both = copy.clone();
        both.insert(low, "first".into());
        both.insert(999_999, "last".into());
        assert!(both != m);
        both.remove(&low);
        assert!(both != m);
        both.remove(&999_999);
        assert!(both == m);
        *both.get_mut(&k).expect("there") = "other".into();
        assert!(both != m, "a difference between copied chunks is seen");

        // The same entries in chunks split differently are equal.
        let rebuilt: PMap<u32, String> = reference.clone().into_iter().rev().collect();
        assert!(rebuilt == m);
        m.retain(|k, _| k % 2 == 0);
        reference.retain(|k, _| k % 2 == 0);
        assert!(m.iter().eq(reference.iter()));
        assert_eq!(m.len(), reference.len());
        for v in m.values_mut() {
            v.push('!');
        }
        assert!(m.values().all(|v| v.ends_with('!')));
        assert!(copy.values().all(|v| !v.ends_with('!')));
    }
}
