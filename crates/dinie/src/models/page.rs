use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// One page of a cursor-paginated list. An item that cannot be decoded (a field this version
/// does not understand) does not take the page down: it is left out of `data` and reported in
/// `skipped`, and the cursor still moves past it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The items of this page that decoded, in the API's order.
    pub data: Vec<T>,
    /// Whether another page follows (ask with [`next_cursor`](Self::next_cursor)).
    pub has_more: bool,
    /// The items that did not decode.
    pub skipped: Vec<SkippedItem>,
    /// The id of the page's last item, decoded or not (the cursor of the next page).
    #[serde(skip)]
    last_id: Option<String>,
}

/// An item of a page that could not be decoded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedItem {
    /// Its position in the page.
    pub index: usize,
    /// Its `id`, when it has one.
    pub id: Option<String>,
    /// What did not decode, with the JSON path.
    pub error: String,
}

impl<T> Page<T> {
    /// The `starting_after` of the next page, when there is one.
    pub fn next_cursor(&self) -> Option<&str> {
        self.last_id.as_deref().filter(|_| self.has_more)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            data: Vec<serde_json::Value>,
            #[serde(default)]
            has_more: bool,
        }
        let raw = Raw::deserialize(d)?;
        let last_id = raw
            .data
            .last()
            .and_then(|v| v.get("id"))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let mut data = Vec::with_capacity(raw.data.len());
        let mut skipped = Vec::new();
        for (index, item) in raw.data.into_iter().enumerate() {
            let id = item.get("id").and_then(|v| v.as_str()).map(str::to_owned);
            match serde_path_to_error::deserialize::<_, T>(item) {
                Ok(decoded) => data.push(decoded),
                Err(e) => skipped.push(SkippedItem {
                    index,
                    id,
                    error: format!("at `{}`: {}", e.path(), e.inner()),
                }),
            }
        }
        Ok(Page {
            data,
            has_more: raw.has_more,
            skipped,
            last_id,
        })
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Customer;

    #[test]
    fn one_bad_item_does_not_take_the_page_down() {
        let json = serde_json::json!({
            "data": [
                {"id": "cust_1", "status": "active", "cpf": "12345678909", "name": "Ana",
                 "email": "a@b.co", "phone": "+5511987654321", "created_at": 0, "updated_at": 0},
                {"id": "cust_2", "status": "active", "cpf": "12345678909", "created_at": "not a time"},
            ],
            "has_more": true,
        });
        let page: Page<Customer> = serde_json::from_value(json).unwrap();
        assert_eq!(page.data.len(), 1);
        assert_eq!(page.skipped.len(), 1);
        assert_eq!(page.skipped[0].id.as_deref(), Some("cust_2"));
        assert!(
            page.skipped[0].error.contains("created_at"),
            "{:?}",
            page.skipped
        );
        assert_eq!(
            page.next_cursor(),
            Some("cust_2"),
            "the cursor moves past the bad one"
        );
    }
}
