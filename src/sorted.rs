//! Sorted lists of indices (rule, flow and service numbers), merged in one
//! pass instead of searched pair by pair.

use std::cmp::Ordering;
use std::iter::Peekable;
use std::slice::Iter;

/// The elements of two ascending lists that are in both, in order, lazily:
/// a caller that needs only the first stops there.
pub fn common<'a>(a: &'a [usize], b: &'a [usize]) -> Common<'a> {
    Common {
        a: a.iter().peekable(),
        b: b.iter().peekable(),
    }
}

/// The iterator of [`common`].
pub struct Common<'a> {
    a: Peekable<Iter<'a, usize>>,
    b: Peekable<Iter<'a, usize>>,
}

impl Iterator for Common<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while let (Some(x), Some(y)) = (self.a.peek(), self.b.peek()) {
            match x.cmp(y) {
                Ordering::Less => {
                    self.a.next();
                }
                Ordering::Greater => {
                    self.b.next();
                }
                Ordering::Equal => {
                    let both = **x;
                    self.a.next();
                    self.b.next();
                    return Some(both);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn common_is_the_sorted_intersection(
            a in proptest::collection::btree_set(0usize..64, 0..40),
            b in proptest::collection::btree_set(0usize..64, 0..40),
        ) {
            let (x, y): (Vec<usize>, Vec<usize>) = (a.iter().copied().collect(), b.iter().copied().collect());
            let expected: Vec<usize> = a.intersection(&b).copied().collect::<BTreeSet<_>>().into_iter().collect();
            prop_assert_eq!(common(&x, &y).collect::<Vec<_>>(), expected);
        }
    }
}
