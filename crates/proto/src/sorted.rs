//! Ordered maps and sets kept as sorted vectors. The lab's maps are small
//! (a host's services, a store's folders, a message's flags), and B-tree code
//! is large: each key/value type of `BTreeMap` brought about 4 KB of node
//! splitting and merging into the page's wasm, these a few hundred bytes.
//! Lookups are binary searches; inserts and removals shift the vector.
//! Serde sees exactly what it saw of `BTreeMap`/`BTreeSet` (a map, a
//! sequence), so saved worlds read the same in both formats.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The order that sorts `n` items by `cmp`, equal items as they came: a bottom-up
/// merge sort. Not generic, so one sort serves every key type; and not the standard
/// library's, which weighed 6.7 KB gzip in the page against a few hundred bytes.
fn stable_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut from: Vec<usize> = (0..n).collect();
    let mut to = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = n.min(start + width);
            let end = n.min(mid + width);
            let (mut left, mut right) = (start, mid);
            for slot in &mut to[start..end] {
                // Ties take the left run's item: that keeps the sort stable.
                let take_left = left < mid && (right >= end || cmp(from[left], from[right]) != Ordering::Greater);
                *slot = if take_left { from[left] } else { from[right] };
                if take_left {
                    left += 1;
                } else {
                    right += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    from
}

/// How to sort `n` items by `cmp` keeping one of each run of equal items, the last
/// (as a map's inserts one by one would leave) or the first (a set's): swaps that put
/// the kept items first, in order, and how many are kept. `None` when they are already
/// in order, each once (a saved map read back). Not generic, so that each key type's
/// own code is only the swaps (a copy of the whole permutation per type was about
/// 800 bytes of raw wasm each, and the page has many).
fn sorting_swaps(
    n: usize,
    cmp: &dyn Fn(usize, usize) -> Ordering,
    keep_last: bool,
) -> Option<(Vec<(usize, usize)>, usize)> {
    if (1..n).all(|i| cmp(i - 1, i) == Ordering::Less) {
        return None;
    }
    let order = stable_order(n, cmp);
    let same = |a: usize, b: usize| cmp(order[a], order[b]) == Ordering::Equal;
    let kept =
        (0..n).filter(|&at| if keep_last { at + 1 == n || !same(at, at + 1) } else { at == 0 || !same(at - 1, at) });
    // Where each place takes its item from: the kept in order, then the rest.
    let mut from: Vec<usize> = kept.map(|at| order[at]).collect();
    let count = from.len();
    let mut taken = vec![false; n];
    for &i in &from {
        taken[i] = true;
    }
    from.extend((0..n).filter(|&i| !taken[i]));
    // Each cycle p0 <- p1 <- p2 … is the swaps (p0, p1), (p1, p2), …
    let mut swaps = Vec::new();
    let mut done = vec![false; n];
    for start in 0..n {
        let mut at = start;
        while !done[at] {
            done[at] = true;
            let next = from[at];
            if next != start {
                swaps.push((at, next));
            }
            at = next;
        }
    }
    Some((swaps, count))
}

/// `items` sorted by `cmp` as `sorting_swaps` says: many items gathered at once cost
/// one sort, not a shift of the vector per item (collect and extend insert one by
/// one: as one sort at each of their call sites they weighed 3.4 KB gzip in the page).
fn sorted_unique<T>(mut items: Vec<T>, cmp: &dyn Fn(&T, &T) -> Ordering, keep_last: bool) -> Vec<T> {
    if let Some((swaps, count)) = sorting_swaps(items.len(), &|a, b| cmp(&items[a], &items[b]), keep_last) {
        for (a, b) in swaps {
            items.swap(a, b);
        }
        items.truncate(count);
    }
    items
}

/// A map ordered by key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { entries: Vec::new() }
    }
}

impl<K, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        SortedMap { entries: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.entries.first().map(|(k, v)| (k, v))
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Insert, returning the value `key` had. (Keys arriving in order land at
    /// the end and shift nothing.)
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The entries from the first key at or after `start`, in order.
    pub fn range_from<Q: Ord + ?Sized>(&self, start: &Q) -> impl DoubleEndedIterator<Item = (&K, &V)>
    where
        K: Borrow<Q>,
    {
        let at = self.find(start).unwrap_or_else(|i| i);
        self.entries[at..].iter().map(|(k, v)| (k, v))
    }

    /// The value of `key`, inserted first if missing.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        Entry { map: self, key }
    }
}

/// [`SortedMap::entry`]: the value of one key, present or about to be.
pub struct Entry<'a, K, V> {
    map: &'a mut SortedMap<K, V>,
    key: K,
}

impl<'a, K: Ord, V> Entry<'a, K, V> {
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.map.find(&self.key) {
            Ok(i) => i,
            Err(i) => {
                self.map.entries.insert(i, (self.key, make()));
                i
            }
        };
        &mut self.map.entries[i].1
    }

    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Self {
        let mut map = SortedMap::new();
        map.extend(items);
        map
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// Entries in any order, as inserted one by one, in one sort. Not inlined: in a
    /// deserializer it changed what LLVM inlined around it, about 1 KB gzip of page weight.
    #[inline(never)]
    pub fn from_entries(entries: Vec<(K, V)>) -> Self {
        SortedMap { entries: sorted_unique(entries, &|a, b| a.0.cmp(&b.0), true) }
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    /// Inserts one by one: for the few entries the engines gather. Many in any order
    /// (a saved lab, a RENAME's folders) go through `from_entries`, one sort.
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, items: I) {
        for (k, v) in items {
            self.insert(k, v);
        }
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
            type Value = SortedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            #[inline(never)]
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = access.next_entry()? {
                    entries.push(entry);
                }
                Ok(SortedMap::from_entries(entries))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A set ordered by value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SortedSet<T> {
    items: Vec<T>,
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet { items: Vec::new() }
    }
}

impl<T> SortedSet<T> {
    pub const fn new() -> Self {
        SortedSet { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }
}

impl<T: Ord> SortedSet<T> {
    fn find<Q: Ord + ?Sized>(&self, value: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        self.items.binary_search_by(|v| v.borrow().cmp(value))
    }

    pub fn contains<Q: Ord + ?Sized>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(value).is_ok()
    }

    /// The values from the first at or after `start`, in order.
    pub fn range_from<Q: Ord + ?Sized>(&self, start: &Q) -> std::slice::Iter<'_, T>
    where
        T: Borrow<Q>,
    {
        let at = self.find(start).unwrap_or_else(|i| i);
        self.items[at..].iter()
    }

    /// Insert, true if `value` was not there. (Values arriving in order land
    /// at the end and shift nothing.)
    pub fn insert(&mut self, value: T) -> bool {
        match self.find(&value) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, value);
                true
            }
        }
    }

    /// Remove, true if `value` was there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(value).map(|i| self.items.remove(i)).is_ok()
    }

    pub fn is_subset(&self, other: &SortedSet<T>) -> bool {
        self.items.iter().all(|v| other.contains(v))
    }

    /// The values in either set, each once, in order (a merge: gathered into a
    /// set, each lands at the end, so a union costs linear time).
    pub fn union<'a>(&'a self, other: &'a SortedSet<T>) -> impl Iterator<Item = &'a T> {
        let (mut a, mut b) = (self.items.iter().peekable(), other.items.iter().peekable());
        std::iter::from_fn(move || match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x < y => a.next(),
            (Some(x), Some(y)) if y < x => b.next(),
            (Some(_), Some(_)) => {
                b.next();
                a.next()
            }
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        })
    }

    /// The values in this set and not in `other`.
    pub fn difference<'a>(&'a self, other: &'a SortedSet<T>) -> impl Iterator<Item = &'a T> {
        self.items.iter().filter(|v| !other.contains(*v))
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for SortedSet<T> {
    fn from(items: [T; N]) -> Self {
        items.into_iter().collect()
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut set = SortedSet::new();
        set.extend(items);
        set
    }
}

impl<T: Ord> SortedSet<T> {
    /// Items in any order, as inserted one by one (see `SortedMap::from_entries`).
    #[inline(never)]
    pub fn from_items(items: Vec<T>) -> Self {
        SortedSet { items: sorted_unique(items, &|a, b| a.cmp(b), false) }
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    /// Inserts one by one (see `SortedMap`'s `extend`; many: `from_items`).
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.insert(item);
        }
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Serialize> Serialize for SortedSet<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de, T: Deserialize<'de> + Ord> Deserialize<'de> for SortedSet<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Ord> Visitor<'de> for SetVisitor<T> {
            type Value = SortedSet<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            #[inline(never)]
            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = access.next_element()? {
                    items.push(v);
                }
                Ok(SortedSet::from_items(items))
            }
        }
        deserializer.deserialize_seq(SetVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_merge_sort_is_stable_and_sorts_every_length() {
        // Keys with many ties, at lengths around each power of two.
        for n in 0..70usize {
            let keys: Vec<usize> = (0..n).map(|i| (i * 7919) % 5).collect();
            let order = stable_order(n, &|a, b| keys[a].cmp(&keys[b]));
            let mut expected: Vec<usize> = (0..n).collect();
            expected.sort_by_key(|&i| keys[i]);
            assert_eq!(order, expected, "n = {n}");
        }
    }

    #[test]
    fn many_gathered_at_once_are_sorted_once_with_inserts_meaning() {
        // A later value for a key replaces an earlier one; a set keeps the first.
        let map = SortedMap::from_entries(vec![(3, "c"), (1, "a"), (3, "C"), (2, "b"), (1, "A")]);
        assert_eq!(map.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), [(1, "A"), (2, "b"), (3, "C")]);
        let mut map = map;
        map.extend([(2, "B"), (0, "z")]);
        assert_eq!(map.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), [(0, "z"), (1, "A"), (2, "B"), (3, "C")]);
        // Equal under Ord, told apart by the second field: the set keeps the one first there.
        #[derive(Debug, PartialEq, Eq)]
        struct Tagged(u8, char);
        impl PartialOrd for Tagged {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Tagged {
            fn cmp(&self, other: &Self) -> Ordering {
                self.0.cmp(&other.0)
            }
        }
        let mut set = SortedSet::from_items(vec![Tagged(2, 'a'), Tagged(1, 'b'), Tagged(2, 'c')]);
        set.extend([Tagged(1, 'd'), Tagged(0, 'e')]);
        assert_eq!(set.iter().map(|t| t.1).collect::<String>(), "eba");
        // Any order, many ties: the same map and set as inserting one by one.
        let mut seed = 12345u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            seed >> 16
        };
        let tag = |k: u32, v: u32| Tagged(k as u8, char::from(b'a' + (v % 26) as u8));
        for n in 0..300u32 {
            let range = 1 + next() % 60;
            let entries: Vec<(u32, u32)> = (0..n).map(|i| (next() % range, i)).collect();
            let mut one_by_one = SortedMap::new();
            let mut set_one_by_one = SortedSet::new();
            for &(k, v) in &entries {
                one_by_one.insert(k, v);
                set_one_by_one.insert(tag(k, v));
            }
            let set = SortedSet::from_items(entries.iter().map(|&(k, v)| tag(k, v)).collect());
            assert_eq!(SortedMap::from_entries(entries), one_by_one, "n = {n}");
            assert_eq!(set.iter().collect::<Vec<_>>(), set_one_by_one.iter().collect::<Vec<_>>(), "n = {n}");
        }
        // Read back from a saved form in descending order: one sort, not a shift per key
        // (200,000 keys shifted one by one move about 10^10 entries).
        let descending: Vec<(u32, u32)> = (0..200_000u32).rev().map(|k| (k, k)).collect();
        let json = descending.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect::<Vec<_>>().join(",");
        let json = format!("{{{json}}}");
        let start = std::time::Instant::now();
        let map: SortedMap<u32, u32> = serde_json::from_str(&json).unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(2), "{:?}", start.elapsed());
        assert_eq!(
            (map.len(), map.first_key_value(), map.last_key_value()),
            (200_000, Some((&0, &0)), Some((&199_999, &199_999)))
        );
    }

    #[test]
    fn a_map_keeps_its_keys_in_order_and_answers_like_a_btree_map() {
        let mut map = SortedMap::new();
        for (k, v) in [(3, "c"), (1, "a"), (2, "b")] {
            assert_eq!(map.insert(k, v), None);
        }
        assert_eq!(map.insert(2, "B"), Some("b"));
        assert_eq!(map.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(map.get(&2), Some(&"B"));
        assert_eq!(map.remove(&1), Some("a"));
        assert_eq!(map.remove(&1), None);
        *map.entry(5).or_insert("e") = "E";
        assert_eq!(map.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), [(2, "B"), (3, "c"), (5, "E")]);
        let mut strings: SortedMap<String, u8> = SortedMap::new();
        strings.insert("b".into(), 2);
        assert!(strings.contains_key("b") && !strings.contains_key("a"));
    }

    #[test]
    fn a_set_ignores_duplicates_and_stays_sorted() {
        let mut set: SortedSet<u32> = [5, 1, 3, 1].into();
        assert_eq!(set.iter().copied().collect::<Vec<_>>(), [1, 3, 5]);
        assert!(!set.insert(3) && set.insert(4));
        assert!(set.remove(&1) && !set.remove(&1));
        assert_eq!(set.first(), Some(&3));
        assert!(SortedSet::from([3, 5]).is_subset(&set));
        let other: SortedSet<u32> = [1, 4, 9].into();
        assert_eq!(set.union(&other).copied().collect::<Vec<_>>(), [1, 3, 4, 5, 9]);
        assert_eq!(set.difference(&other).copied().collect::<Vec<_>>(), [3, 5]);
    }

    #[test]
    fn serde_sees_a_map_and_a_sequence_as_for_the_btree_types() {
        let map: SortedMap<String, u8> = [("b".to_string(), 2), ("a".to_string(), 1)].into_iter().collect();
        let std_map: std::collections::BTreeMap<String, u8> = [("b".to_string(), 2), ("a".to_string(), 1)].into();
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(json, serde_json::to_string(&std_map).unwrap());
        assert_eq!(serde_json::from_str::<SortedMap<String, u8>>("{\"z\":26,\"a\":1}").unwrap().len(), 2);
        let set: SortedSet<u8> = [2, 1].into();
        assert_eq!(serde_json::to_string(&set).unwrap(), "[1,2]");
        assert_eq!(postcard::to_allocvec(&map).unwrap(), postcard::to_allocvec(&std_map).unwrap());
    }
}
