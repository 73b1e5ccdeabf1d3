//! Hook ordering: dependencies first, then by priority (lower runs first), then in registration
//! order. Hooks themselves are Python objects; only their order is decided here.

use std::collections::BTreeMap;

/// A hook as far as ordering goes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct HookSpec {
    pub id: String,
    #[serde(default = "default_priority")]
    pub priority: i64,
    #[serde(default)]
    pub depends_on: Vec<String>,
}

fn default_priority() -> i64 {
    5
}

/// The order to run `hooks` in (their ids), or why there is none (unknown dependency, cycle).
pub fn order(hooks: &[HookSpec]) -> Result<Vec<String>, String> {
    let index: BTreeMap<&str, usize> = hooks.iter().enumerate().map(|(i, h)| (h.id.as_str(), i)).collect();
    for h in hooks {
        if let Some(missing) = h.depends_on.iter().find(|d| !index.contains_key(d.as_str())) {
            return Err(format!("hook {:?} depends on {missing:?}, which is not registered for this phase", h.id));
        }
    }
    let mut done = vec![false; hooks.len()];
    let mut out = Vec::with_capacity(hooks.len());
    while out.len() < hooks.len() {
        let next = hooks
            .iter()
            .enumerate()
            .filter(|(i, h)| !done[*i] && h.depends_on.iter().all(|d| done[index[d.as_str()]]))
            .min_by_key(|(i, h)| (h.priority, *i))
            .map(|(i, _)| i);
        match next {
            Some(i) => {
                done[i] = true;
                out.push(hooks[i].id.clone());
            }
            None => {
                let stuck: Vec<&str> =
                    hooks.iter().enumerate().filter(|(i, _)| !done[*i]).map(|(_, h)| h.id.as_str()).collect();
                return Err(format!("hooks depend on each other in a cycle: {}", stuck.join(", ")));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(id: &str, priority: i64, deps: &[&str]) -> HookSpec {
        HookSpec { id: id.into(), priority, depends_on: deps.iter().map(|d| d.to_string()).collect() }
    }

    #[test]
    fn dependencies_then_priority_then_registration() {
        let hooks = [h("a", 5, &["c"]), h("b", 1, &[]), h("c", 9, &[]), h("d", 5, &[])];
        assert_eq!(order(&hooks).unwrap(), vec!["b", "d", "c", "a"]);
        assert!(order(&[h("a", 1, &["b"]), h("b", 1, &["a"])]).unwrap_err().contains("cycle"));
        assert!(order(&[h("a", 1, &["zz"])]).unwrap_err().contains("zz"));
    }
}
