//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning reads it. Every rule that ran is
//! described in `tool.driver.rules` (with its help); each finding is a result pointing at its file
//! (relative to the project directory, `%SRCROOT%`), line and column.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

use crate::lint::Report;
use crate::lint::rule::{RuleMeta, find_rule};

/// Characters escaped in a relative URI path (RFC 3986; `/` is kept).
const PATH: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');

fn rule_json(r: &RuleMeta) -> Value {
    let pascal: String = r
        .name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect();
    json!({
        "id": r.id,
        "name": pascal,
        "shortDescription": {"text": r.name},
        "fullDescription": {"text": r.summary},
        "help": {
            "text": format!("{} {}", r.why, r.fix),
            "markdown": format!("{}\n\n**Why.** {}\n\n**Instead.** {}\n\n```sql\n{}\n```", r.summary, r.why, r.fix, r.good),
        },
        "defaultConfiguration": {"level": r.severity.sarif_level()},
        "properties": {"tags": [r.family(), r.target.name()]},
    })
}

pub(super) fn render(report: &Report) -> String {
    let rules: Vec<&RuleMeta> = report.rules.iter().filter_map(|id| find_rule(id)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule_id,
                "level": f.severity.sarif_level(),
                "message": {"text": f.message},
            });
            if let Some(i) = rules.iter().position(|r| r.id == f.rule_id) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(file) = &f.file {
                let mut region = json!({"startLine": f.line.unwrap_or(1)});
                if let Some(c) = f.column {
                    region["startColumn"] = json!(c);
                }
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": utf8_percent_encode(file, PATH).to_string(), "uriBaseId": "%SRCROOT%"},
                        "region": region,
                    },
                    "logicalLocations": [{"name": f.object_name, "kind": f.object_type}],
                }]);
            }
            if let Some(fix) = &f.suggested_fix {
                result["properties"] = json!({"suggestedFix": fix});
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "confiture",
                "semanticVersion": crate::VERSION,
                "informationUri": "https://github.com/fraiseql/confiture",
                "rules": rules.iter().map(|r| rule_json(r)).collect::<Vec<_>>(),
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("invariant: SARIF serializes");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_point_at_files() {
        let text = super::render(&super::super::tests::sample());
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 3);
        assert_eq!(run["tool"]["driver"]["rules"][1]["name"], "MissingPrimaryKey");
        let r = &run["results"][1];
        assert_eq!(r["ruleId"], "pk_001");
        assert_eq!(r["ruleIndex"], 1);
        assert_eq!(r["level"], "warning");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "db/schema/my%20dir/t.sql");
        assert_eq!(loc["region"]["startLine"], 1);
        assert_eq!(loc["region"]["startColumn"], 3);
        assert_eq!(run["results"][2]["level"], "note");
        assert!(run["results"][2].get("locations").is_none());
    }
}
