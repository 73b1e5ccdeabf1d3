//! Foreign-key order: tables grouped into units (the strongly connected components of the
//! "references" graph, so tables that reference each other load together, in one transaction)
//! and the units ordered so that referenced tables load first. Ties are broken by name, so the
//! order is the same on every run.

use std::collections::{BTreeMap, BTreeSet};

/// A group of tables loaded together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Indices into the table list, sorted.
    pub tables: Vec<usize>,
    /// Units that must be loaded first.
    pub after: Vec<usize>,
    /// Tables that reference each other (more than one table in the unit).
    pub cyclic: bool,
}

/// `edges`: (child, parent) pairs, child referencing parent. Returns units in load order.
pub fn units(count: usize, edges: &[(usize, usize)]) -> Vec<Unit> {
    let mut adjacency: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); count];
    for &(child, parent) in edges {
        if child != parent {
            adjacency[child].insert(parent);
        }
    }
    let components = tarjan(&adjacency);
    let mut component_of = vec![0usize; count];
    for (c, members) in components.iter().enumerate() {
        for &t in members {
            component_of[t] = c;
        }
    }
    // Dependencies between components, then Kahn's algorithm with the smallest ready first.
    let mut deps: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); components.len()];
    let mut dependents: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); components.len()];
    for (child, parents) in adjacency.iter().enumerate() {
        for &parent in parents {
            let (a, b) = (component_of[child], component_of[parent]);
            if a != b {
                deps[a].insert(b);
                dependents[b].insert(a);
            }
        }
    }
    let key = |c: usize| components[c][0];
    let mut missing: Vec<usize> = deps.iter().map(BTreeSet::len).collect();
    let mut ready: BTreeMap<usize, usize> =
        (0..components.len()).filter(|c| missing[*c] == 0).map(|c| (key(c), c)).collect();
    let mut position = vec![usize::MAX; components.len()];
    let mut order = Vec::with_capacity(components.len());
    while let Some((_, c)) = ready.pop_first() {
        position[c] = order.len();
        order.push(c);
        for &d in &dependents[c] {
            missing[d] -= 1;
            if missing[d] == 0 {
                ready.insert(key(d), d);
            }
        }
    }
    order
        .iter()
        .map(|&c| Unit {
            tables: components[c].clone(),
            after: deps[c].iter().map(|d| position[*d]).collect::<BTreeSet<_>>().into_iter().collect(),
            cyclic: components[c].len() > 1,
        })
        .collect()
}

/// Strongly connected components (iterative Tarjan), each sorted.
fn tarjan(adjacency: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    let n = adjacency.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, Vec<usize>)> = vec![(root, adjacency[root].iter().copied().collect())];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some((v, pending)) = work.last_mut() {
            let v = *v;
            if let Some(w) = pending.pop() {
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, adjacency[w].iter().copied().collect()));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some((parent, _)) = work.last() {
                low[*parent] = low[*parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                components.push(component);
            }
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_first_and_cycles_grouped() {
        // 0 ← 1 ← 2, 3 ↔ 4 (cycle) referencing 0, 5 self-referencing, 6 alone.
        let edges = [(1, 0), (2, 1), (3, 4), (4, 3), (3, 0), (5, 5)];
        let u = units(7, &edges);
        let pos = |t: usize| u.iter().position(|x| x.tables.contains(&t)).unwrap();
        assert!(pos(0) < pos(1) && pos(1) < pos(2) && pos(0) < pos(3));
        assert_eq!(pos(3), pos(4));
        assert!(u[pos(3)].cyclic && !u[pos(5)].cyclic);
        assert_eq!(u.len(), 6);
        assert!(u[pos(2)].after.contains(&pos(1)));
        // Deterministic: the same input gives the same order.
        assert_eq!(u, units(7, &edges));
        assert_eq!(units(3, &[]).iter().map(|x| x.tables[0]).collect::<Vec<_>>(), vec![0, 1, 2]);
    }
}
