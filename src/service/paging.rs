//! Paging of long lists (teachers, experts, the audit log): pages are 1-based, the page size is one of a few
//! choices so a URL cannot ask for a million rows.

/// The page sizes lists offer; 300 is the largest (tables stay readable with 300 rows).
pub const PAGE_SIZES: [usize; 4] = [20, 50, 100, 300];
pub const DEFAULT_PAGE_SIZE: usize = 50;

/// One page of a list and where it sits in the whole.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Items matching the filters, on every page.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

impl<T> Paged<T> {
    /// Cuts `page` out of everything that matched (already in display order).
    pub fn of(all: Vec<T>, page: usize, per_page: usize) -> Self {
        let (page, per_page) = normalise(page, per_page);
        let total = all.len();
        let items = all.into_iter().skip((page - 1).saturating_mul(per_page)).take(per_page).collect();
        Self { items, total, page, per_page }
    }

    pub fn pages(&self) -> usize {
        self.total.div_ceil(self.per_page).max(1)
    }

    pub fn map<U>(self, change: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(change).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// A page number of at least 1 and an allowed page size (the nearest larger one, else the default).
pub fn normalise(page: usize, per_page: usize) -> (usize, usize) {
    let per_page = if per_page == 0 {
        DEFAULT_PAGE_SIZE
    } else {
        PAGE_SIZES.into_iter().find(|size| *size >= per_page).unwrap_or(PAGE_SIZES[PAGE_SIZES.len() - 1])
    };
    (page.max(1), per_page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cut_and_sizes_snap_to_the_choices() {
        let paged = Paged::of((1..=120).collect::<Vec<_>>(), 3, 50);
        assert_eq!(paged.items, (101..=120).collect::<Vec<_>>());
        assert_eq!((paged.total, paged.pages()), (120, 3));
        assert_eq!(normalise(0, 0), (1, 50));
        assert_eq!(normalise(2, 7), (2, 20));
        assert_eq!(normalise(1, 100_000), (1, 300));
        assert!(Paged::of(Vec::<u8>::new(), 9, 20).items.is_empty());
        // A page far past the end (e.g. from a URL) is empty, not an overflow.
        assert!(Paged::of(vec![1, 2, 3], usize::MAX, 300).items.is_empty());
    }
}
