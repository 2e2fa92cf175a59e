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

/// The order that sorts `n` items by `cmp`, equal items as they came. Not generic:
/// one sort serves every key type (a sort per type would each be page weight).
fn stable_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// `items` sorted by `cmp`, one of each run of equal items kept: the last (as a map's
/// inserts one by one would leave) or the first (a set's). Many items gathered at
/// once cost one sort, not a shift of the vector per item.
fn sorted_unique<T>(items: Vec<T>, cmp: &dyn Fn(&T, &T) -> Ordering, keep_last: bool) -> Vec<T> {
    // The usual case, a saved map read back: already in order.
    if items.windows(2).all(|w| cmp(&w[0], &w[1]) == Ordering::Less) {
        return items;
    }
    let order = stable_order(items.len(), &|a, b| cmp(&items[a], &items[b]));
    let same = |a: Option<&usize>, b: usize| a.is_some_and(|&a| cmp(&items[a], &items[b]) == Ordering::Equal);
    let kept: Vec<usize> = (0..order.len())
        .filter(|&at| {
            !same(if keep_last { order.get(at + 1) } else { at.checked_sub(1).and_then(|p| order.get(p)) }, order[at])
        })
        .map(|at| order[at])
        .collect();
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    kept.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)).collect()
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

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    /// As inserting each in turn (a later value for a key replaces an earlier one),
    /// in one sort.
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, items: I) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.extend(items);
        self.entries = sorted_unique(entries, &|a, b| a.0.cmp(&b.0), true);
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
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = access.next_entry()? {
                    entries.push(entry);
                }
                Ok(entries.into_iter().collect())
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

impl<T: Ord> Extend<T> for SortedSet<T> {
    /// As inserting each in turn (a value already there stays), in one sort.
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        let mut all = std::mem::take(&mut self.items);
        all.extend(items);
        self.items = sorted_unique(all, &|a, b| a.cmp(b), false);
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
            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = access.next_element()? {
                    items.push(v);
                }
                Ok(items.into_iter().collect())
            }
        }
        deserializer.deserialize_seq(SetVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_gathered_at_once_are_sorted_once_with_inserts_meaning() {
        // A later value for a key replaces an earlier one; a set keeps the first.
        let map: SortedMap<u32, &str> = [(3, "c"), (1, "a"), (3, "C"), (2, "b"), (1, "A")].into_iter().collect();
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
        let mut set: SortedSet<Tagged> = [Tagged(2, 'a'), Tagged(1, 'b'), Tagged(2, 'c')].into_iter().collect();
        set.extend([Tagged(1, 'd'), Tagged(0, 'e')]);
        assert_eq!(set.iter().map(|t| t.1).collect::<String>(), "eba");
        // Read back from a saved form in descending order: one sort, not a shift per key
        // (200,000 keys shifted one by one move about 10^10 entries).
        let descending: Vec<(u32, u32)> = (0..200_000u32).rev().map(|k| (k, k)).collect();
        let start = std::time::Instant::now();
        let map: SortedMap<u32, u32> = descending.into_iter().collect();
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
