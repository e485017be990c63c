//! A fixed-size set of small integers stored as bits: the sets of pod classes
//! and endpoint groups that the evaluator unions and intersects.
//!
//! Knows nothing of Kubernetes.

/// A set of integers below a fixed length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BitSet {
    words: Vec<u64>,
    len: usize,
}

impl BitSet {
    /// The empty set of integers below `len`.
    pub(crate) fn new(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// The set of every integer below `len`.
    pub(crate) fn full(len: usize) -> Self {
        let mut set = Self {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        set.clear_tail();
        set
    }

    fn clear_tail(&mut self) {
        let used = self.len % 64;
        if used != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << used) - 1;
            }
        }
    }

    /// Adds `i`; integers out of range are ignored.
    pub(crate) fn insert(&mut self, i: usize) {
        if i < self.len {
            if let Some(word) = self.words.get_mut(i / 64) {
                *word |= 1u64 << (i % 64);
            }
        }
    }

    /// Removes `i`.
    pub(crate) fn remove(&mut self, i: usize) {
        if let Some(word) = self.words.get_mut(i / 64) {
            *word &= !(1u64 << (i % 64));
        }
    }

    /// Whether `i` is in the set.
    pub(crate) fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|word| (word >> (i % 64)) & 1 == 1)
    }

    /// Adds every member of `other`.
    pub(crate) fn union_with(&mut self, other: &Self) {
        for (word, more) in self.words.iter_mut().zip(&other.words) {
            *word |= *more;
        }
    }

    /// Keeps only the members of `other`.
    pub(crate) fn intersect_with(&mut self, other: &Self) {
        for (word, keep) in self.words.iter_mut().zip(&other.words) {
            *word &= *keep;
        }
        let shorter = other.words.len().min(self.words.len());
        for word in self.words.iter_mut().skip(shorter) {
            *word = 0;
        }
    }

    /// The same members in a set of integers below `len` (members at or above
    /// `len` are dropped).
    pub(crate) fn resized(&self, len: usize) -> Self {
        let mut words = self.words.clone();
        words.resize(len.div_ceil(64), 0);
        let mut set = Self { words, len };
        set.clear_tail();
        set
    }

    /// Whether the set has no member.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|word| *word == 0)
    }

    /// The members in increasing order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(index, word)| {
            let mut rest = *word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(index * 64 + bit)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::BitSet;

    #[test]
    fn set_operations() {
        let mut a = BitSet::new(130);
        a.insert(0);
        a.insert(64);
        a.insert(129);
        a.insert(130);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 64, 129]);
        let full = BitSet::full(130);
        assert_eq!(full.iter().count(), 130);
        let mut b = BitSet::new(130);
        b.insert(64);
        b.insert(5);
        let mut union = a.clone();
        union.union_with(&b);
        assert_eq!(union.iter().collect::<Vec<_>>(), vec![0, 5, 64, 129]);
        a.intersect_with(&b);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![64]);
        assert!(!a.is_empty());
        a.remove(64);
        assert!(a.is_empty());
        assert!(BitSet::new(10).is_empty());
        let grown = full.resized(200);
        assert_eq!(grown.iter().count(), 130);
        assert!(!grown.contains(150));
        assert_eq!(full.resized(3).iter().collect::<Vec<_>>(), vec![0, 1, 2]);
    }
}
