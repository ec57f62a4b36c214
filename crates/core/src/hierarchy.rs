//! The organization hierarchy: one parent, any number of children, any depth, no loops.
//!
//! The server loads the chain of ancestors of a proposed parent (parent, grandparent,
//! ...) and asks [`check_parent`]; the organization picker asks the same question for
//! each choice it shows, to grey out the invalid ones with their reason.

use std::fmt;

/// Deeper chains than this are refused (and a corrupt chain cannot loop the check forever).
pub const MAX_DEPTH: usize = 32;

/// Why an organization cannot become another's parent; `Display` is the message shown to people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HierarchyError {
    /// An organization cannot be its own parent.
    OwnParent,
    /// The proposed parent is the organization's child (`depth` 1), grandchild (2), ...
    WouldLoop { parent_name: String, depth: usize },
    /// The hierarchy would be deeper than [`MAX_DEPTH`].
    TooDeep,
}

impl fmt::Display for HierarchyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HierarchyError::OwnParent => f.write_str("An organization cannot be its own parent."),
            HierarchyError::WouldLoop { parent_name, depth: 1 } => {
                write!(f, "{parent_name} is a child of this organization, so it cannot be its parent.")
            }
            HierarchyError::WouldLoop { parent_name, .. } => {
                write!(f, "{parent_name} is below this organization in the hierarchy, so it cannot be its parent.")
            }
            HierarchyError::TooDeep => write!(f, "A hierarchy has at most {MAX_DEPTH} levels."),
        }
    }
}

impl std::error::Error for HierarchyError {}

/// May `parent` become the parent of `org`?
///
/// `parent_ancestors` is the chain above the proposed parent, nearest first
/// (its parent, then that one's parent, ...). `parent_name` names it in the message.
/// Setting no parent is always allowed and needs no check.
pub fn check_parent(org: i64, parent: i64, parent_name: &str, parent_ancestors: &[i64]) -> Result<(), HierarchyError> {
    if org == parent {
        return Err(HierarchyError::OwnParent);
    }
    if let Some(pos) = parent_ancestors.iter().position(|&a| a == org) {
        return Err(HierarchyError::WouldLoop { parent_name: parent_name.to_string(), depth: pos + 1 });
    }
    // The new chain: org, parent, parent's ancestors.
    if parent_ancestors.len() + 2 > MAX_DEPTH {
        return Err(HierarchyError::TooDeep);
    }
    Ok(())
}

/// Adding `child` below `org` is setting `org` as the child's parent.
pub fn check_child(org: i64, org_name: &str, org_ancestors: &[i64], child: i64) -> Result<(), HierarchyError> {
    check_parent(child, org, org_name, org_ancestors).map_err(|e| match e {
        HierarchyError::WouldLoop { depth, .. } => {
            HierarchyError::WouldLoop { parent_name: org_name.to_string(), depth }
        }
        other => other,
    })
}

/// The ancestors of `org`, nearest first, from a lookup of each organization's parent.
/// Stops at [`MAX_DEPTH`] or at a repeated organization (a chain that loops is corrupt;
/// stopping keeps the callers' checks finite).
pub fn ancestors(org: i64, parent_of: impl Fn(i64) -> Option<i64>) -> Vec<i64> {
    let mut chain = Vec::new();
    let mut current = org;
    while let Some(parent) = parent_of(current) {
        if parent == org || chain.contains(&parent) || chain.len() >= MAX_DEPTH {
            break;
        }
        chain.push(parent);
        current = parent;
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// 1 ─ 2 ─ 3 ─ 4 (a chain: 1 is the root), and 5 on its own.
    fn links() -> HashMap<i64, i64> {
        HashMap::from([(2, 1), (3, 2), (4, 3)])
    }

    fn ancestors_in(links: &HashMap<i64, i64>, org: i64) -> Vec<i64> {
        ancestors(org, |o| links.get(&o).copied())
    }

    #[test]
    fn the_ancestor_chain_is_nearest_first() {
        let l = links();
        assert_eq!(ancestors_in(&l, 4), [3, 2, 1]);
        assert_eq!(ancestors_in(&l, 1), Vec::<i64>::new());
        assert_eq!(ancestors_in(&l, 5), Vec::<i64>::new());
    }

    #[test]
    fn parents_that_make_a_loop_are_refused() {
        let l = links();
        // (organization, proposed parent, expected)
        let cases: [(i64, i64, Result<(), HierarchyError>); 7] = [
            (1, 1, Err(HierarchyError::OwnParent)),
            (1, 2, Err(HierarchyError::WouldLoop { parent_name: "P".into(), depth: 1 })), // child
            (1, 3, Err(HierarchyError::WouldLoop { parent_name: "P".into(), depth: 2 })), // grandchild
            (1, 4, Err(HierarchyError::WouldLoop { parent_name: "P".into(), depth: 3 })), // deep chain
            (2, 4, Err(HierarchyError::WouldLoop { parent_name: "P".into(), depth: 2 })),
            (4, 1, Ok(())), // an ancestor higher up: allowed (re-parenting)
            (5, 4, Ok(())), // an unrelated organization
        ];
        for (org, parent, expected) in cases {
            assert_eq!(check_parent(org, parent, "P", &ancestors_in(&l, parent)), expected, "{org} under {parent}");
        }
    }

    #[test]
    fn adding_a_child_is_the_same_rule_seen_from_above() {
        let l = links();
        // Making 1 (the root) a child of 4 (its great-grandchild) loops.
        assert_eq!(
            check_child(4, "Four", &ancestors_in(&l, 4), 1),
            Err(HierarchyError::WouldLoop { parent_name: "Four".into(), depth: 3 })
        );
        assert_eq!(check_child(4, "Four", &ancestors_in(&l, 4), 4), Err(HierarchyError::OwnParent));
        assert_eq!(check_child(4, "Four", &ancestors_in(&l, 4), 5), Ok(()));
    }

    #[test]
    fn messages_name_the_choice_and_say_why() {
        let child = HierarchyError::WouldLoop { parent_name: "Acme EU".into(), depth: 1 };
        assert_eq!(child.to_string(), "Acme EU is a child of this organization, so it cannot be its parent.");
        let deep = HierarchyError::WouldLoop { parent_name: "Acme Paris".into(), depth: 3 };
        assert!(deep.to_string().contains("below this organization"));
        assert_eq!(HierarchyError::OwnParent.to_string(), "An organization cannot be its own parent.");
    }

    #[test]
    fn depth_is_limited_and_corrupt_chains_do_not_hang() {
        // A chain of MAX_DEPTH organizations: 1 ← 2 ← ... ← MAX_DEPTH.
        let chain: HashMap<i64, i64> = (2..=MAX_DEPTH as i64).map(|o| (o, o - 1)).collect();
        let bottom = MAX_DEPTH as i64;
        let above_bottom = ancestors_in(&chain, bottom);
        assert_eq!(above_bottom.len(), MAX_DEPTH - 1);
        assert_eq!(check_parent(1000, bottom, "Bottom", &above_bottom), Err(HierarchyError::TooDeep));
        assert_eq!(check_parent(1000, bottom - 1, "Above", &ancestors_in(&chain, bottom - 1)), Ok(()));

        // A loop already in the data (1 → 2 → 1) ends the walk instead of spinning.
        let corrupt = HashMap::from([(1, 2), (2, 1)]);
        assert_eq!(ancestors_in(&corrupt, 1), [2]);
        assert_eq!(ancestors_in(&corrupt, 2), [1]);
    }
}
