//! Which tables can seat a party: single tables, or tables of one combinable group pushed together.
//!
//! A restaurant's tables each seat between `seats_min` and `seats_max` diners; tables that share
//! a combinable group (the tables along one wall, say) may be joined. A set of tables *fits* a
//! party when its summed `seats_min` ≤ party ≤ its summed `seats_max`, and it is either one
//! table or 2..=k tables of the same group.
//!
//! Only **minimal** combinations are offered (dropping any member would leave too few seats).
//! That loses nothing: a superset of a fitting set is busy whenever the set is, and it only
//! adds waste. It also keeps the enumeration small, which matters because availability asks
//! the question once per search and then checks every candidate against every time slot.
//!
//! Order, deterministic: fewer tables first (joining tables means moving furniture and staff
//! time, so a single table always wins), then less waste (empty seats), then the table ids.
//!
//! Bookings hold a claim on *every member* of a combination, so the double-booking check sees
//! combined tables; [`Seating::is_free`] is the read side of the same rule.

use std::collections::BTreeSet;

use crate::DomainError;

/// Most tables one combination may join (a bound on the enumeration, and on the furniture).
pub const MAX_COMBINED_TABLES: usize = 4;
/// Most tables one combinable group may hold; a bigger group is refused rather than searched.
pub const MAX_TABLES_PER_GROUP: usize = 30;
/// Most tables a location's search may consider.
pub const MAX_TABLES: usize = 500;

/// A table as the seating rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table's id (the resource id).
    pub id: String,
    /// Fewest diners the table is given to.
    pub seats_min: u16,
    /// Most diners the table seats.
    pub seats_max: u16,
    /// Tables with the same group may be joined; None: this table is never combined.
    pub group: Option<String>,
}

/// One way to seat a party: one table, or several of one group joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seating {
    /// The tables, sorted by id.
    pub table_ids: Vec<String>,
    /// Summed `seats_min` of the tables.
    pub seats_min: u32,
    /// Summed `seats_max` of the tables.
    pub seats_max: u32,
    /// Empty seats: `seats_max - party`.
    pub waste: u32,
}

/// Why no seating could be offered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeatingError {
    /// A party of zero.
    #[error("a party has at least one person")]
    EmptyParty,
    /// More people than the largest table or allowed combination seats.
    #[error("a party of {party} is larger than any table or combination of tables here (at most {largest})")]
    PartyTooLarge {
        /// The party size asked for.
        party: u16,
        /// The most seats any single table or allowed combination offers.
        largest: u32,
    },
    /// The party is not too large, yet no table or combination suits it (every one that is
    /// big enough has a higher minimum).
    #[error("no table or combination of tables here suits a party of {party}")]
    NoSuitableSeating {
        /// The party size asked for.
        party: u16,
    },
    /// A table whose seats make no sense (`seats_max` 0, or `seats_min` above `seats_max`).
    #[error("table {id}: seats_min must be at most seats_max, and seats_max at least 1")]
    InvalidTable {
        /// The table's id.
        id: String,
    },
    /// The same table id twice.
    #[error("table {id} is listed twice")]
    DuplicateTable {
        /// The table's id.
        id: String,
    },
    /// More tables than one search considers.
    #[error("at most {MAX_TABLES} tables per location")]
    TooManyTables,
    /// A combinable group larger than [`MAX_TABLES_PER_GROUP`].
    #[error("combinable group {group} has {tables} tables; at most {MAX_TABLES_PER_GROUP}")]
    GroupTooLarge {
        /// The group's name.
        group: String,
        /// How many tables it has.
        tables: usize,
    },
}

impl From<SeatingError> for DomainError {
    fn from(error: SeatingError) -> Self {
        let field = match error {
            SeatingError::EmptyParty | SeatingError::PartyTooLarge { .. } | SeatingError::NoSuitableSeating { .. } => {
                "party_size"
            }
            SeatingError::InvalidTable { .. }
            | SeatingError::DuplicateTable { .. }
            | SeatingError::TooManyTables
            | SeatingError::GroupTooLarge { .. } => "tables",
        };
        DomainError::invalid(field, error.to_string())
    }
}

impl Seating {
    /// Whether every member table is free: one busy member makes the whole combination busy.
    pub fn is_free(&self, busy: &BTreeSet<&str>) -> bool {
        self.table_ids.iter().all(|id| !busy.contains(id.as_str()))
    }
}

/// Every minimal seating for `party`, best first (see the module docs for the order), joining at
/// most `max_tables` tables (clamped to 1..=[`MAX_COMBINED_TABLES`]).
///
/// Errors: the party is empty; a table is invalid or listed twice; a group or the location is
/// too large to search; or nothing fits — [`SeatingError::PartyTooLarge`] when the party
/// exceeds every allowed set's seats, else [`SeatingError::NoSuitableSeating`].
pub fn candidate_seatings(tables: &[Table], party: u16, max_tables: usize) -> Result<Vec<Seating>, SeatingError> {
    if party == 0 {
        return Err(SeatingError::EmptyParty);
    }
    validate(tables)?;
    let max_tables = max_tables.clamp(1, MAX_COMBINED_TABLES);
    let party_seats = u32::from(party);
    let mut seatings: Vec<Seating> = tables
        .iter()
        .filter(|table| table.seats_min <= party && party <= table.seats_max)
        .map(|table| seating(&[table], party_seats))
        .collect();
    let mut largest = tables.iter().map(|table| u32::from(table.seats_max)).max().unwrap_or(0);
    if max_tables > 1 {
        for members in groups(tables) {
            largest = largest.max(largest_combination(&members, max_tables));
            let mut chosen = Vec::with_capacity(max_tables);
            combine(&members, 0, party_seats, max_tables, &mut chosen, &mut seatings);
        }
    }
    if seatings.is_empty() {
        return Err(if party_seats > largest {
            SeatingError::PartyTooLarge { party, largest }
        } else {
            SeatingError::NoSuitableSeating { party }
        });
    }
    seatings
        .sort_by(|a, b| (a.table_ids.len(), a.waste, &a.table_ids).cmp(&(b.table_ids.len(), b.waste, &b.table_ids)));
    Ok(seatings)
}

/// The candidates whose every member is free, in the candidates' order.
pub fn free_seatings<'a>(candidates: &'a [Seating], busy: &BTreeSet<&str>) -> Vec<&'a Seating> {
    candidates.iter().filter(|seating| seating.is_free(busy)).collect()
}

/// The best candidate whose every member is free over `[start_ms, end_ms)`, if any.
pub fn first_free_seating<'a>(
    candidates: &'a [Seating],
    occupancies: &[Occupancy],
    start_ms: i64,
    end_ms: i64,
) -> Option<&'a Seating> {
    let busy = busy_during(occupancies, start_ms, end_ms);
    candidates.iter().find(|seating| seating.is_free(&busy))
}

/// A table held over `[start_ms, end_ms)` (a booking with its buffers, or a hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupancy {
    /// The table's id.
    pub table_id: String,
    /// Start of the hold, Unix milliseconds (inclusive).
    pub start_ms: i64,
    /// End of the hold, Unix milliseconds (exclusive).
    pub end_ms: i64,
}

/// The tables busy at some moment of `[start_ms, end_ms)`: half-open intervals, so a booking
/// ending at 20:00 leaves the table free for one starting at 20:00.
pub fn busy_during(occupancies: &[Occupancy], start_ms: i64, end_ms: i64) -> BTreeSet<&str> {
    occupancies
        .iter()
        .filter(|held| held.start_ms < end_ms && start_ms < held.end_ms)
        .map(|held| held.table_id.as_str())
        .collect()
}

fn validate(tables: &[Table]) -> Result<(), SeatingError> {
    if tables.len() > MAX_TABLES {
        return Err(SeatingError::TooManyTables);
    }
    let mut seen = BTreeSet::new();
    for table in tables {
        if table.seats_max == 0 || table.seats_min > table.seats_max {
            return Err(SeatingError::InvalidTable { id: table.id.clone() });
        }
        if !seen.insert(table.id.as_str()) {
            return Err(SeatingError::DuplicateTable { id: table.id.clone() });
        }
    }
    for members in groups(tables) {
        if members.len() > MAX_TABLES_PER_GROUP {
            let group = members.first().and_then(|table| table.group.clone()).unwrap_or_default();
            return Err(SeatingError::GroupTooLarge { group, tables: members.len() });
        }
    }
    Ok(())
}

/// The combinable groups, each sorted by table id, in group-name order.
fn groups(tables: &[Table]) -> Vec<Vec<&Table>> {
    let names: BTreeSet<&str> = tables.iter().filter_map(|table| table.group.as_deref()).collect();
    names
        .into_iter()
        .map(|name| {
            let mut members: Vec<&Table> = tables.iter().filter(|table| table.group.as_deref() == Some(name)).collect();
            members.sort_by(|a, b| a.id.cmp(&b.id));
            members
        })
        .collect()
}

/// The most seats `max_tables` members of one group offer together.
fn largest_combination(members: &[&Table], max_tables: usize) -> u32 {
    let mut seats: Vec<u32> = members.iter().map(|table| u32::from(table.seats_max)).collect();
    seats.sort_unstable_by(|a, b| b.cmp(a));
    seats.iter().take(max_tables).sum()
}

/// Depth-first search over sets of 2..=`max_tables` members (in id order), pruned where the
/// summed minimum already exceeds the party and stopped as soon as the set has enough seats.
fn combine<'a>(
    members: &[&'a Table],
    from: usize,
    party: u32,
    max_tables: usize,
    chosen: &mut Vec<&'a Table>,
    out: &mut Vec<Seating>,
) {
    for (index, table) in members.iter().enumerate().skip(from) {
        chosen.push(table);
        let (seats_min, seats_max) = sums(chosen);
        if seats_min <= party {
            if seats_max >= party {
                if chosen.len() >= 2 && is_minimal(chosen, party, seats_max) {
                    out.push(seating(chosen, party));
                }
            } else if chosen.len() < max_tables {
                combine(members, index + 1, party, max_tables, chosen, out);
            }
        }
        chosen.pop();
    }
}

fn sums(tables: &[&Table]) -> (u32, u32) {
    tables.iter().fold((0, 0), |(min, max), table| (min + u32::from(table.seats_min), max + u32::from(table.seats_max)))
}

/// No member can be dropped: without the smallest one the set would be short of seats.
fn is_minimal(tables: &[&Table], party: u32, seats_max: u32) -> bool {
    let smallest = tables.iter().map(|table| u32::from(table.seats_max)).min().unwrap_or(0);
    seats_max - smallest < party
}

fn seating(tables: &[&Table], party: u32) -> Seating {
    let (seats_min, seats_max) = sums(tables);
    let mut table_ids: Vec<String> = tables.iter().map(|table| table.id.clone()).collect();
    table_ids.sort();
    Seating { table_ids, seats_min, seats_max, waste: seats_max.saturating_sub(party) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(id: &str, seats_min: u16, seats_max: u16, group: Option<&str>) -> Table {
        Table { id: id.to_owned(), seats_min, seats_max, group: group.map(str::to_owned) }
    }

    fn ids(seatings: &[Seating]) -> Vec<Vec<&str>> {
        seatings.iter().map(|s| s.table_ids.iter().map(String::as_str).collect()).collect()
    }

    /// A food-court terrace: two fours and a two along the rail (group "rail"), a lone six.
    fn terrace() -> Vec<Table> {
        vec![
            table("t1", 2, 4, Some("rail")),
            table("t2", 2, 4, Some("rail")),
            table("t3", 1, 2, Some("rail")),
            table("t4", 4, 6, None),
        ]
    }

    #[test]
    fn single_tables_come_first_then_combinations_by_waste() -> Result<(), SeatingError> {
        let seatings = candidate_seatings(&terrace(), 4, 4)?;
        // t1 and t2 seat four exactly, t4 wastes two; t1 + t3 is never offered, t1 alone suffices.
        assert_eq!(ids(&seatings), vec![vec!["t1"], vec!["t2"], vec!["t4"]]);
        assert_eq!(seatings.iter().map(|s| s.waste).collect::<Vec<_>>(), vec![0, 0, 2]);
        Ok(())
    }

    #[test]
    fn a_single_table_beats_a_tighter_combination() -> Result<(), SeatingError> {
        let seatings = candidate_seatings(&terrace(), 5, 4)?;
        assert_eq!(ids(&seatings), vec![vec!["t4"], vec!["t1", "t3"], vec!["t2", "t3"], vec!["t1", "t2"]]);
        let seatings = candidate_seatings(&terrace(), 9, 4)?;
        assert_eq!(ids(&seatings), vec![vec!["t1", "t2", "t3"]]);
        Ok(())
    }

    #[test]
    fn a_party_too_large_or_unsuited_is_a_typed_error() {
        assert_eq!(candidate_seatings(&terrace(), 11, 4), Err(SeatingError::PartyTooLarge { party: 11, largest: 10 }));
        assert_eq!(candidate_seatings(&terrace(), 9, 2), Err(SeatingError::PartyTooLarge { party: 9, largest: 8 }));
        assert_eq!(candidate_seatings(&terrace(), 0, 4), Err(SeatingError::EmptyParty));
        let lonely = [table("a", 4, 6, None), table("b", 1, 2, None)];
        assert_eq!(candidate_seatings(&lonely, 3, 4), Err(SeatingError::NoSuitableSeating { party: 3 }));
        let bad = [table("a", 5, 4, None)];
        assert_eq!(candidate_seatings(&bad, 3, 4), Err(SeatingError::InvalidTable { id: "a".to_owned() }));
        let twice = [table("a", 1, 4, None), table("a", 1, 4, None)];
        assert_eq!(candidate_seatings(&twice, 3, 4), Err(SeatingError::DuplicateTable { id: "a".to_owned() }));
        let crowd: Vec<Table> = (0..31).map(|i| table(&format!("c{i:02}"), 1, 2, Some("hall"))).collect();
        assert!(matches!(candidate_seatings(&crowd, 3, 4), Err(SeatingError::GroupTooLarge { tables: 31, .. })));
        let as_domain: DomainError = SeatingError::PartyTooLarge { party: 11, largest: 10 }.into();
        assert!(matches!(as_domain, DomainError::Invalid { ref field, .. } if field == "party_size"));
    }

    #[test]
    fn a_combination_is_busy_when_one_member_is() -> Result<(), SeatingError> {
        let seatings = candidate_seatings(&terrace(), 5, 4)?;
        let held = [Occupancy { table_id: "t2".to_owned(), start_ms: 1_000, end_ms: 2_000 }];
        let busy = busy_during(&held, 1_999, 3_000);
        assert_eq!(
            ids(&free_seatings(&seatings, &busy).into_iter().cloned().collect::<Vec<_>>()),
            vec![vec!["t4"], vec!["t1", "t3"]]
        );
        assert_eq!(first_free_seating(&seatings, &held, 1_500, 2_500).map(|s| s.table_ids.len()), Some(1));
        let all_held: Vec<Occupancy> = ["t1", "t2", "t3", "t4"]
            .iter()
            .map(|id| Occupancy { table_id: (*id).to_owned(), start_ms: 0, end_ms: 10 })
            .collect();
        assert_eq!(first_free_seating(&seatings, &all_held, 5, 6), None);
        assert!(first_free_seating(&seatings, &all_held, 10, 20).is_some());
        // Half-open: a hold ending at 2 000 does not touch a range starting there.
        assert!(busy_during(&held, 2_000, 3_000).is_empty());
        assert!(busy_during(&held, 0, 1_000).is_empty());
        Ok(())
    }

    fn tables() -> impl Strategy<Value = Vec<Table>> {
        prop::collection::vec((1u16..6, 0u16..6, prop::option::of(0u8..2)), 0..9).prop_map(|raw| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (min, extra, group))| {
                    table(&format!("t{i}"), min, min + extra, group.map(|g| if g == 0 { "a" } else { "b" }))
                })
                .collect()
        })
    }

    /// Whether any allowed subset (one table, or 2..=k of one group) fits, by brute force.
    fn some_subset_fits(tables: &[Table], party: u16, k: usize) -> bool {
        let party = u32::from(party);
        (1u32..(1 << tables.len())).any(|mask| {
            let members: Vec<&Table> =
                tables.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, t)| t).collect();
            let one_group = members.len() == 1
                || (members.len() <= k
                    && members[0].group.is_some()
                    && members.iter().all(|t| t.group == members[0].group));
            let (min, max) = sums(&members);
            one_group && min <= party && party <= max
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn every_seating_fits_and_errors_exactly_when_nothing_fits(tables in tables(), party in 1u16..20, k in 1usize..5) {
            match candidate_seatings(&tables, party, k) {
                Ok(seatings) => {
                    prop_assert!(!seatings.is_empty());
                    for seating in &seatings {
                        let members: Vec<&Table> = tables.iter().filter(|t| seating.table_ids.contains(&t.id)).collect();
                        prop_assert_eq!(members.len(), seating.table_ids.len());
                        prop_assert!(members.len() <= k);
                        let (min, max) = sums(&members);
                        prop_assert!(min <= u32::from(party) && u32::from(party) <= max);
                        prop_assert!(members.len() == 1 || (members[0].group.is_some() && members.iter().all(|t| t.group == members[0].group)));
                    }
                    let order: Vec<_> = seatings.iter().map(|s| (s.table_ids.len(), s.waste, s.table_ids.clone())).collect();
                    let mut sorted = order.clone();
                    sorted.sort();
                    sorted.dedup();
                    prop_assert_eq!(order, sorted, "sorted, no duplicates");
                }
                Err(SeatingError::PartyTooLarge { largest, .. }) => {
                    prop_assert!(!some_subset_fits(&tables, party, k));
                    prop_assert!(u32::from(party) > largest);
                }
                Err(SeatingError::NoSuitableSeating { .. }) => prop_assert!(!some_subset_fits(&tables, party, k)),
                Err(other) => prop_assert!(false, "unexpected {}", other),
            }
            if some_subset_fits(&tables, party, k) {
                prop_assert!(candidate_seatings(&tables, party, k).is_ok());
            }
        }

        #[test]
        fn no_free_seating_overlaps_a_members_booking(tables in tables(), party in 1u16..20,
                                                     held in prop::collection::vec((0usize..9, 0i64..100, 1i64..30), 0..12),
                                                     start in 0i64..100, length in 1i64..30) {
            let seatings = candidate_seatings(&tables, party, MAX_COMBINED_TABLES).unwrap_or_default();
            let held: Vec<Occupancy> = held.into_iter().filter(|(i, _, _)| *i < tables.len())
                .map(|(i, from, length)| Occupancy { table_id: tables[i].id.clone(), start_ms: from, end_ms: from + length }).collect();
            let end = start + length;
            let overlaps = |id: &str| held.iter().any(|h| h.table_id == id && h.start_ms < end && start < h.end_ms);
            let busy = busy_during(&held, start, end);
            let free = free_seatings(&seatings, &busy);
            for seating in &free {
                prop_assert!(seating.table_ids.iter().all(|id| !overlaps(id)), "{:?} is held", seating.table_ids);
            }
            // Nothing free is left out, and the first free one is the best free one.
            let expected: Vec<&Seating> = seatings.iter().filter(|s| s.table_ids.iter().all(|id| !overlaps(id))).collect();
            prop_assert_eq!(&free, &expected);
            prop_assert_eq!(first_free_seating(&seatings, &held, start, end), expected.first().copied());
        }
    }
}
