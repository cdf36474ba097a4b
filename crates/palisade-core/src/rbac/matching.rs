//! Rule matching: whether one policy rule covers one request, with the API server
//! authorizer's exact semantics (wildcards, subresources, resource names, non-resource URLs).

use super::{Request, Rule};

/// `*` in a verb list covers every verb.
pub fn verb_matches(rule: &Rule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

/// `*` in an API group list covers every group, including the core group `""`.
pub fn api_group_matches(rule: &Rule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// Resource matching. `*` covers every resource and subresource; `*/scale` covers the `scale`
/// subresource of every resource; otherwise the rule must name `resource` or `resource/sub`
/// exactly, so bare `pods` does not cover `pods/status` and `pods/*` is a literal that no
/// request ever names.
pub fn resource_matches(rule: &Rule, resource: &str, subresource: &str) -> bool {
    let combined: std::borrow::Cow<'_, str> = if subresource.is_empty() {
        resource.into()
    } else {
        format!("{resource}/{subresource}").into()
    };
    rule.resources.iter().any(|r| {
        r == "*"
            || *r == *combined
            || (!subresource.is_empty() && r.strip_prefix("*/") == Some(subresource))
    })
}

/// A rule without resource names covers any name; a rule with names covers only requests that
/// name one of them, so it never covers create, list, watch or deletecollection (no name).
pub fn resource_name_matches(rule: &Rule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// Non-resource URL matching: `*` covers all paths; a trailing `*` makes the rest a prefix.
pub fn non_resource_url_matches(rule: &Rule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*"
            || u == path
            || u.strip_suffix('*')
                .is_some_and(|prefix| path.starts_with(prefix))
    })
}

/// Whether `rule` allows `verb` on `resource` (possibly `resource/subresource`) of `group` for
/// any object name: the same answer as [`rule_allows`] for an unnamed request, without building
/// a [`Request`]. Checks ask this thousands of times per run.
pub fn allows_unnamed(rule: &Rule, verb: &str, group: &str, resource: &str) -> bool {
    let subresource = resource.split_once('/').map_or("", |(_, sub)| sub);
    verb_matches(rule, verb)
        && api_group_matches(rule, group)
        && rule.resource_names.is_empty()
        && rule.resources.iter().any(|r| {
            r == "*"
                || r == resource
                || (!subresource.is_empty() && r.strip_prefix("*/") == Some(subresource))
        })
}

/// Whether `rule` allows `request`.
pub fn rule_allows(rule: &Rule, request: &Request) -> bool {
    match request {
        Request::Resource {
            verb,
            api_group,
            resource,
            subresource,
            name,
            ..
        } => {
            verb_matches(rule, verb)
                && api_group_matches(rule, api_group)
                && resource_matches(rule, resource, subresource)
                && resource_name_matches(rule, name)
        }
        Request::NonResource { verb, path } => {
            verb_matches(rule, verb) && non_resource_url_matches(rule, path)
        }
    }
}
