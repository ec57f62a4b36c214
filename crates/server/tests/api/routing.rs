//! Routing rules: the organization's section and the property-targeted list (CRUD,
//! version checks, reorder, limits, the fields a refusal names), and what the rules
//! do to an item created by an agent or from the portal, in the creating
//! transaction: in precedence order (own, inherited, property-targeted), with
//! "stop", disabled rules, broken references and unreadable definitions skipped
//! and said so in the item's history. Plus the dry run's input, the exposure
//! warning's counts, and who may call what.

use orgdesk_core::api::routing::{RoutingRule, RoutingSection, RuleOrigin, MAX_RULES_PER_ORGANIZATION};
use orgdesk_core::api::tickets::{ItemStatus, Priority};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

async fn add_rule(app: &TestApp, org: i64, body: Value) -> RoutingRule {
    let res = app.post(&format!("/api/organizations/{org}/routing-rules"), body).await;
    serde_json::from_value(json_with(res, StatusCode::CREATED).await).unwrap()
}

async fn section(app: &TestApp, org: i64) -> RoutingSection {
    serde_json::from_value(ok_json(app.get(&format!("/api/organizations/{org}/routing-rules")).await).await).unwrap()
}

async fn history(app: &TestApp, item: i64) -> Vec<String> {
    let entries = ok_json(app.get(&format!("/api/items/{item}/history")).await).await;
    entries.as_array().unwrap().iter().map(|e| e["summary"].as_str().unwrap().to_string()).collect()
}

fn to_project(project: i64) -> Value {
    json!({"kind": "change_project", "project_id": project})
}

fn set_priority(priority: &str) -> Value {
    json!({"kind": "set_priority", "priority": priority})
}

/// Acme (acme.com) with Ann Lee; a project "Support" items start in; "Tasks for ACME Inc.".
struct World {
    app: TestApp,
    acme: i64,
    ann: i64,
    support: i64,
    tasks: i64,
}

async fn world() -> World {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_named_customer("ann@acme.com", "Ann", "Lee").await.id;
    let support = app.create_project("Support").await.id;
    let tasks = app.create_project("Tasks for ACME Inc.").await.id;
    World { app, acme, ann, support, tasks }
}

impl World {
    async fn ticket(&self, title: &str) -> orgdesk_core::api::tickets::Item {
        self.app.create_ticket(self.support, self.ann, title, ItemStatus::New).await
    }
}

#[tokio::test]
async fn rules_are_created_listed_changed_reordered_and_deleted() {
    let w = world().await;
    let app = &w.app;
    let empty = section(app, w.acme).await;
    assert!(empty.own.is_empty() && empty.effective.is_empty());

    let first =
        add_rule(app, w.acme, json!({"name": " ACME tasks ", "conditions": [], "actions": [to_project(w.tasks)]}))
            .await;
    assert_eq!((first.name.as_str(), first.position, first.version, first.enabled), ("ACME tasks", 0, 1, true));
    assert_eq!(first.organization_id, Some(w.acme));
    assert_eq!(first.references.len(), 1);
    assert_eq!(first.references[0].name.as_deref(), Some("Tasks for ACME Inc."));
    assert_eq!(first.references[0].broken, None);
    let second = add_rule(
        app,
        w.acme,
        json!({"name": "Urgent", "enabled": false, "conditions": [{"kind": "text_contains", "field": "title", "text": "down"}],
               "actions": [set_priority("urgent")]}),
    )
    .await;
    assert_eq!((second.position, second.enabled), (1, false));

    let s = section(app, w.acme).await;
    assert_eq!(s.own.iter().map(|r| r.id).collect::<Vec<_>>(), [first.id, second.id]);
    assert_eq!(s.effective.len(), 2);
    assert!(s.effective.iter().all(|e| e.origin == RuleOrigin::Own));

    // A partial change: the rest stays, the version goes up.
    let path = format!("/api/organizations/{}/routing-rules/{}", w.acme, second.id);
    let changed: RoutingRule =
        serde_json::from_value(ok_json(app.patch(&path, json!({"version": 1, "enabled": true})).await).await).unwrap();
    assert_eq!((changed.enabled, changed.version, changed.name.as_str()), (true, 2, "Urgent"));
    assert_eq!(changed.conditions, second.conditions);
    // The same version again is stale.
    let stale =
        error_body(app.patch(&path, json!({"version": 1, "name": "Late"})).await, StatusCode::CONFLICT, "conflict")
            .await;
    assert!(stale["fields"]["version"].is_string(), "{stale}");

    // Reorder: exactly the current set, else 422 on ids.
    let order = format!("/api/organizations/{}/routing-rules/order", w.acme);
    for bad in [json!({"ids": [first.id]}), json!({"ids": [first.id, first.id]}), json!({"ids": [first.id, 999]})] {
        let body = error_body(app.put(&order, bad).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(body["fields"]["ids"].is_string(), "{body}");
    }
    let s: RoutingSection =
        serde_json::from_value(ok_json(app.put(&order, json!({"ids": [second.id, first.id]})).await).await).unwrap();
    assert_eq!(s.own.iter().map(|r| (r.id, r.position)).collect::<Vec<_>>(), [(second.id, 0), (first.id, 1)]);

    // Delete: 204, then 404; another organization's rule is not this one's.
    let globex = app.create_org("Globex", &[]).await.id;
    let elsewhere = format!("/api/organizations/{globex}/routing-rules/{}", first.id);
    error_body(app.delete(&elsewhere).await, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.delete(&format!("/api/organizations/{}/routing-rules/{}", w.acme, first.id)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.delete(&format!("/api/organizations/{}/routing-rules/{}", w.acme, first.id)).await;
    error_body(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(section(app, w.acme).await.own.len(), 1);

    // Unknown organizations are 404 everywhere.
    error_body(app.get("/api/organizations/999/routing-rules").await, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .post(
            "/api/organizations/999/routing-rules",
            json!({"name": "X", "conditions": [], "actions": [set_priority("low")]}),
        )
        .await;
    error_body(res, StatusCode::NOT_FOUND, "not_found").await;
    error_body(
        app.put("/api/organizations/999/routing-rules/order", json!({"ids": []})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Every write is in the audit log, and the organization's history says so.
    let log = ok_json(app.get("/api/audit?action=routing_rule_created").await).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 2, "{log}");
    assert_eq!(log["items"][1]["target_label"], "ACME tasks");
    assert_eq!(log["items"][1]["detail"]["organization_id"], w.acme);
    for action in ["routing_rule_changed", "routing_rule_deleted", "routing_rules_reordered"] {
        let log = ok_json(app.get(&format!("/api/audit?action={action}")).await).await;
        assert_eq!(log["items"].as_array().unwrap().len(), 1, "{action}: {log}");
    }
    let changed = ok_json(app.get("/api/audit?action=routing_rule_changed").await).await;
    assert_eq!(changed["items"][0]["detail"]["before"]["enabled"], false);
    assert_eq!(changed["items"][0]["detail"]["after"]["enabled"], true);
    let org_history = ok_json(app.get(&format!("/api/organizations/{}/history", w.acme)).await).await;
    let text = org_history.to_string();
    assert!(
        text.contains("Routing rule 'ACME tasks' added") && text.contains("Routing rule 'ACME tasks' deleted"),
        "{text}"
    );
}

#[tokio::test]
async fn a_bad_rule_is_refused_naming_each_field() {
    let w = world().await;
    let app = &w.app;
    let old = app.create_project("Old desk").await.id;
    ok_json(app.patch(&format!("/api/projects/{old}"), json!({"archived": true})).await).await;
    let alice = app.create_agent("alice@example.com", "agent").await;
    ok_json(app.patch(&format!("/api/agents/{alice}"), json!({"active": false})).await).await;
    let path = format!("/api/organizations/{}/routing-rules", w.acme);

    let res = app
        .post(
            &path,
            json!({"name": "  ", "conditions": [{"kind": "text_contains", "field": "title", "text": " "}],
                   "actions": [{"kind": "auto_reply", "template": "Hi {customer.nickname}"}]}),
        )
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    for field in ["name", "conditions[0].text", "actions[0].template"] {
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
    let body = error_body(
        app.post(&path, json!({"name": "A", "conditions": [], "actions": []})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["actions"].is_string(), "{body}");

    // References: each unusable one named, with why.
    let res = app
        .post(
            &path,
            json!({"name": "Refs", "conditions": [], "actions": [
                to_project(old),
                {"kind": "assign_agent", "agent_id": alice},
                {"kind": "add_follower", "follower_kind": "customer", "id": 999},
                {"kind": "add_follower", "follower_kind": "organization", "id": 998},
            ]}),
        )
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["actions[0].project_id"].as_str().unwrap().contains("Old desk is archived"), "{body}");
    assert!(body["fields"]["actions[1].agent_id"].as_str().unwrap().contains("deactivated"), "{body}");
    assert_eq!(body["fields"]["actions[2].id"], "No such customer.");
    assert_eq!(body["fields"]["actions[3].id"], "No such organization.");
    let res = app.post(&path, json!({"name": "P", "conditions": [], "actions": [to_project(12345)]})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(body["fields"]["actions[0].project_id"], "No such project.");
    // An organization's rule has no property target.
    let res = app
        .post(
            &path,
            json!({"name": "T", "target": {"property_id": 1, "value": "x"}, "conditions": [], "actions": [set_priority("low")]}),
        )
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["target"].is_string(), "{body}");
    // A change is checked like a creation.
    let rule = add_rule(app, w.acme, json!({"name": "Fine", "conditions": [], "actions": [set_priority("low")]})).await;
    let res = app.patch(&format!("{path}/{}", rule.id), json!({"version": 1, "actions": [to_project(old)]})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["actions[0].project_id"].is_string(), "{body}");
    assert_eq!(section(app, w.acme).await.own, vec![rule.clone()], "nothing was stored");

    // Property targets: the property must exist and the value fit it.
    let res =
        app.post("/api/routing-rules", json!({"name": "E", "conditions": [], "actions": [set_priority("high")]})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["target.property_id"].is_string(), "{body}");
    let res = app
        .post(
            "/api/routing-rules",
            json!({"name": "E", "target": {"property_id": 777, "value": "x"}, "conditions": [], "actions": [set_priority("high")]}),
        )
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(body["fields"]["target.property_id"], "No such property.");
    let plan = plan_property(app).await;
    let res = app
        .post(
            "/api/routing-rules",
            json!({"name": "E", "target": {"property_id": plan, "value": "Gold"}, "conditions": [], "actions": [set_priority("high")]}),
        )
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["target.value"].is_string(), "{body}");

    // At most MAX_RULES_PER_ORGANIZATION rules on one organization.
    for i in 1..MAX_RULES_PER_ORGANIZATION {
        add_rule(app, w.acme, json!({"name": format!("R{i}"), "conditions": [], "actions": [set_priority("low")]}))
            .await;
    }
    let res =
        app.post(&path, json!({"name": "One too many", "conditions": [], "actions": [set_priority("low")]})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["name"].as_str().unwrap().contains("50"), "{body}");
}

/// A single-choice property "Plan" (Starter, Enterprise); its id.
async fn plan_property(app: &TestApp) -> i64 {
    let body = json!({"label": "Plan", "kind": "single_choice", "options": ["Starter", "Enterprise"]});
    json_with(app.post("/api/organization-properties", body).await, StatusCode::CREATED).await["id"].as_i64().unwrap()
}

async fn set_plan(app: &TestApp, org: i64, plan: i64, value: &str) {
    let detail = ok_json(app.get(&format!("/api/organizations/{org}/detail")).await).await;
    let body = json!({"version": detail["version"], "values": {plan.to_string(): value}});
    ok_json(app.put(&format!("/api/organizations/{org}/properties"), body).await).await;
}

#[tokio::test]
async fn an_agents_ticket_is_routed_by_the_organizations_rules_in_order() {
    let w = world().await;
    let app = &w.app;
    let other = app.create_project("Other").await.id;
    let alice = app.create_agent("alice@example.com", "agent").await;
    let globex = app.create_org("Globex", &["globex.com"]).await.id;
    let gus = app.create_customer("gus@globex.com").await.id;
    let gina = app.create_customer("gina@globex.com").await.id;
    let carl = app.create_named_customer("carl@acme.com", "Carl", "Day").await.id;
    add_rule(
        app,
        w.acme,
        json!({"name": "ACME tasks", "conditions": [], "actions": [
            to_project(w.tasks),
            {"kind": "assign_agent", "agent_id": alice},
            {"kind": "set_status", "status": "open"},
            {"kind": "add_follower", "follower_kind": "customer", "id": carl},
            {"kind": "add_follower", "follower_kind": "organization", "id": globex},
            {"kind": "auto_reply", "template": "Hello {customer.first_name}, #{item.id} is with {organization.name}."},
        ]}),
    )
    .await;
    add_rule(
        app,
        w.acme,
        json!({"name": "Outages", "conditions": [{"kind": "text_contains", "field": "title_or_description", "text": "DOWN"}],
               "actions": [set_priority("urgent"), {"kind": "stop_rules"}]}),
    )
    .await;
    add_rule(app, w.acme, json!({"name": "Never", "conditions": [], "actions": [to_project(other)]})).await;

    let item = w.ticket("Mail is down").await;
    assert_eq!(item.project_id, w.tasks, "routed in the creating transaction: the answer shows it");
    assert_eq!(item.assignee_id, Some(alice));
    assert_eq!((item.status, item.priority), (ItemStatus::Open, Priority::Urgent));
    let mut followers: Vec<i64> = item.followers.iter().map(|f| f.id).collect();
    followers.sort();
    assert_eq!(
        followers,
        [gus, gina, carl].iter().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect::<Vec<_>>()
    );
    assert_eq!(
        history(app, item.id).await,
        [
            "Routing rule 'ACME tasks' moved this ticket to project Tasks for ACME Inc.",
            "Routing rule 'ACME tasks' assigned this ticket to Test Agent.",
            "Routing rule 'ACME tasks' set the status to Open.",
            "Routing rule 'ACME tasks' added Carl Day as a follower.",
            "Routing rule 'ACME tasks' added the members of Globex as followers.",
            "Routing rule 'ACME tasks' sent an automatic reply to the requester.",
            "Routing rule 'Outages' set the priority to Urgent.",
            "Routing rule 'Outages' stopped further routing rules.",
        ]
    );
    // The automatic reply went out like an agent's, placeholders filled.
    let mails: Vec<(String, String)> = app
        .rows_for(
            "SELECT recipient, body FROM outbox WHERE item_id = $1 AND kind = 'item_reply' ORDER BY recipient",
            item.id,
        )
        .await;
    assert!(mails.iter().any(|(to, _)| to == "ann@acme.com"), "{mails:?}");
    let expected = format!("Hello Ann, #{} is with Acme.", item.id);
    assert!(mails.iter().all(|(_, body)| body.starts_with(&expected)), "{mails:?}");
    let messages = ok_json(app.get(&format!("/api/items/{}/messages", item.id)).await).await;
    assert_eq!(messages[0]["author_name"], "Orgdesk");
    assert_eq!(messages[0]["body"], expected);

    // A ticket that does not say "down" runs on to the third rule.
    let calm = w.ticket("A question").await;
    assert_eq!(calm.project_id, other);
    assert_eq!(calm.priority, Priority::Normal);

    // Changing an item later does not route it again.
    let before = history(app, calm.id).await;
    let res =
        app.patch(&format!("/api/items/{}", calm.id), json!({"project_id": w.support, "title": "Still down"})).await;
    ok_json(res).await;
    let after = app.item(calm.id).await;
    assert_eq!((after.project_id, after.priority), (w.support, Priority::Normal));
    assert_eq!(history(app, calm.id).await, before);
    app.assert_counters_match().await;

    // A task without a requester has no organization: nothing routes it.
    let task = app.create_task(w.support, "Inventory").await;
    assert_eq!(task.project_id, w.support);
    assert!(history(app, task.id).await.is_empty());
}

#[tokio::test]
async fn a_portal_ticket_is_routed_and_conditions_and_switches_decide() {
    let w = world().await;
    let app = &w.app;
    let urgent = app.create_project("Urgent desk").await.id;
    add_rule(
        app,
        w.acme,
        json!({"name": "From the portal", "conditions": [{"kind": "source", "source": "portal"}], "actions": [to_project(w.tasks)]}),
    )
    .await;
    add_rule(app, w.acme, json!({"name": "Off", "enabled": false, "conditions": [], "actions": [set_priority("low")]}))
        .await;
    add_rule(
        app,
        w.acme,
        json!({"name": "Managers", "conditions": [{"kind": "requester_is_manager", "is_manager": true},
               {"kind": "item_type", "item_type": "ticket"}], "actions": [to_project(urgent)]}),
    )
    .await;

    let ann = app.portal_client(w.ann, true).await;
    let made = json_with(
        ann.post("/api/portal/items", json!({"title": "Printer", "description": "Jammed"})).await,
        StatusCode::CREATED,
    )
    .await;
    let id = made["item"]["id"].as_i64().unwrap();
    let item = app.item(id).await;
    assert_eq!((item.project_id, item.priority), (w.tasks, Priority::Normal), "the disabled rule did nothing");
    assert_eq!(
        history(app, id).await,
        ["Routing rule 'From the portal' moved this ticket to project Tasks for ACME Inc."]
    );

    // An agent's ticket is not from the portal.
    let by_agent = w.ticket("By phone").await;
    assert_eq!(by_agent.project_id, w.support);

    // Once Ann manages Acme, the managers' rule applies to her new tickets.
    let detail = ok_json(app.get(&format!("/api/organizations/{}/detail", w.acme)).await).await;
    let body = json!({"version": detail["version"], "role": "manager"});
    ok_json(app.patch(&format!("/api/organizations/{}/members/{}", w.acme, w.ann), body).await).await;
    let managed = w.ticket("Budget").await;
    assert_eq!(managed.project_id, urgent);
}

#[tokio::test]
async fn inherited_and_property_rules_follow_the_organizations_own_in_precedence() {
    let w = world().await;
    let app = &w.app;
    let holding = app.create_org("Acme Holdings", &[]).await.id;
    let detail = ok_json(app.get(&format!("/api/organizations/{holding}/detail")).await).await;
    let body = json!({"version": detail["version"], "child_id": w.acme});
    ok_json(app.post(&format!("/api/organizations/{holding}/children"), body).await).await;
    let plan = plan_property(app).await;
    set_plan(app, w.acme, plan, "Enterprise").await;
    let alice = app.create_agent("alice@example.com", "agent").await;

    let own = add_rule(app, w.acme, json!({"name": "Own", "conditions": [], "actions": [set_priority("low")]})).await;
    let inherited = add_rule(
        app,
        holding,
        json!({"name": "Group", "include_children": true, "conditions": [], "actions": [set_priority("high")]}),
    )
    .await;
    add_rule(
        app,
        holding,
        json!({"name": "Holding only", "conditions": [], "actions": [{"kind": "set_status", "status": "waiting"}]}),
    )
    .await;
    let res = app
        .post(
            "/api/routing-rules",
            json!({"name": "Enterprise", "target": {"property_id": plan, "value": "enterprise"}, "conditions": [],
                   "actions": [set_priority("urgent"), {"kind": "assign_agent", "agent_id": alice}]}),
        )
        .await;
    let property: RoutingRule = serde_json::from_value(json_with(res, StatusCode::CREATED).await).unwrap();
    assert_eq!(property.target.as_ref().unwrap().value, "Enterprise", "the choice as the property spells it");
    assert_eq!(property.organization_id, None);
    let res = app
        .post(
            "/api/routing-rules",
            json!({"name": "Starter", "target": {"property_id": plan, "value": "Starter"}, "conditions": [], "actions": [to_project(w.tasks)]}),
        )
        .await;
    json_with(res, StatusCode::CREATED).await;

    let s = section(app, w.acme).await;
    assert_eq!(s.own.iter().map(|r| r.id).collect::<Vec<_>>(), [own.id]);
    let effective: Vec<(i64, RuleOrigin)> = s.effective.iter().map(|e| (e.rule.id, e.origin.clone())).collect();
    assert_eq!(
        effective,
        [
            (own.id, RuleOrigin::Own),
            (
                inherited.id,
                RuleOrigin::Inherited { organization_id: holding, organization_name: "Acme Holdings".into(), depth: 1 }
            ),
            (property.id, RuleOrigin::Property { property_label: "Plan".into(), value: "Enterprise".into() }),
        ]
    );
    let listed = ok_json(app.get("/api/routing-rules").await).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["references"][0]["name"], "Plan");

    let item = w.ticket("Order").await;
    assert_eq!((item.priority, item.status, item.assignee_id), (Priority::Urgent, ItemStatus::New, Some(alice)));
    assert_eq!(item.project_id, w.support, "the Starter rule does not reach Acme");
    assert_eq!(
        history(app, item.id).await,
        [
            "Routing rule 'Own' set the priority to Low.",
            "Routing rule 'Group' set the priority to High.",
            "Routing rule 'Enterprise' set the priority to Urgent.",
            "Routing rule 'Enterprise' assigned this ticket to Test Agent.",
        ]
    );

    // "Stop further rules" in the organization's own rule ends the walk there.
    let path = format!("/api/organizations/{}/routing-rules/{}", w.acme, own.id);
    ok_json(app.patch(&path, json!({"version": 1, "actions": [set_priority("low"), {"kind": "stop_rules"}]})).await)
        .await;
    let stopped = w.ticket("Second order").await;
    assert_eq!((stopped.priority, stopped.assignee_id), (Priority::Low, None));

    // Without "also for child organizations" a parent's rule stays its own.
    let group = format!("/api/organizations/{holding}/routing-rules/{}", inherited.id);
    ok_json(app.patch(&group, json!({"version": 1, "include_children": false})).await).await;
    let s = section(app, w.acme).await;
    assert!(s.effective.iter().all(|e| !matches!(e.origin, RuleOrigin::Inherited { .. })), "{s:?}");

    // Property-targeted writes are the admins'.
    let (agent, _) = app.signed_in_agent("agent@example.com").await;
    assert_eq!(ok_json(agent.get("/api/routing-rules").await).await.as_array().unwrap().len(), 2);
    let prop = format!("/api/routing-rules/{}", property.id);
    error_body(agent.patch(&prop, json!({"version": 1, "enabled": false})).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    error_body(agent.delete(&prop).await, StatusCode::FORBIDDEN, "forbidden").await;
    let body = json!({"name": "X", "target": {"property_id": plan, "value": "Starter"}, "conditions": [], "actions": [set_priority("low")]});
    error_body(agent.post("/api/routing-rules", body).await, StatusCode::FORBIDDEN, "forbidden").await;
    error_body(agent.put("/api/routing-rules/order", json!({"ids": []})).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    // ... while any agent writes an organization's rules.
    add_rule(&agent, w.acme, json!({"name": "By an agent", "conditions": [], "actions": [set_priority("high")]})).await;
    // Admins reorder and change them.
    let ids: Vec<i64> = ok_json(app.get("/api/routing-rules").await)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .rev()
        .collect();
    let reordered = ok_json(app.put("/api/routing-rules/order", json!({"ids": ids})).await).await;
    assert_eq!(reordered[0]["name"], "Starter");
    let changed =
        ok_json(app.patch(&prop, json!({"version": 1, "target": {"property_id": plan, "value": "starter"}})).await)
            .await;
    assert_eq!(changed["target"]["value"], "Starter");
    assert_eq!(app.delete(&prop).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_rule_with_a_broken_reference_is_skipped_and_the_others_still_apply() {
    let w = world().await;
    let app = &w.app;
    let old = app.create_project("Old desk").await.id;
    add_rule(app, w.acme, json!({"name": "To the old desk", "conditions": [], "actions": [to_project(old)]})).await;
    add_rule(app, w.acme, json!({"name": "High", "conditions": [], "actions": [set_priority("high")]})).await;
    ok_json(app.patch(&format!("/api/projects/{old}"), json!({"archived": true})).await).await;

    let s = section(app, w.acme).await;
    assert_eq!(s.own[0].references[0].broken.as_deref(), Some("The project Old desk is archived"));
    assert_eq!(s.own[0].references[0].name, None);

    let item = w.ticket("Hello").await;
    assert_eq!((item.project_id, item.priority), (w.support, Priority::High));
    assert_eq!(
        history(app, item.id).await,
        [
            "Routing rule 'High' set the priority to High.",
            "Routing rule 'To the old desk' was skipped: The project Old desk is archived",
        ]
    );

    // An organization too large to follow an item this way: that effect is skipped, said so.
    let big = app.create_org("Big", &[]).await.id;
    for sql in [
        "INSERT INTO customers (email, created_at) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
         WHERE i < 1001) SELECT 'c' || i || '@big.example', 0 FROM n",
        "INSERT INTO memberships (customer_id, organization_id) SELECT id, $1 FROM customers WHERE email LIKE '%@big.example'",
    ] {
        orgdesk_server::db::query(sql).bind(big).execute(&app.db).await.unwrap();
    }
    let rule = add_rule(
        app,
        w.acme,
        json!({"name": "Everyone", "conditions": [], "actions": [{"kind": "add_follower", "follower_kind": "organization", "id": big},
               {"kind": "set_status", "status": "open"}]}),
    )
    .await;
    let item = w.ticket("Crowd").await;
    assert_eq!((item.status, item.followers.len()), (ItemStatus::Open, 0));
    let lines = history(app, item.id).await;
    assert!(lines.contains(&"Routing rule 'Everyone' set the status to Open.".to_string()), "{lines:?}");
    assert!(
        lines.contains(&"Routing rule 'Everyone' did not add the members of Big as followers: it has 1001 members, more than the 1000 \
             who can follow an item this way."
                .to_string()),
        "{lines:?}"
    );
    app.delete(&format!("/api/organizations/{}/routing-rules/{}", w.acme, rule.id)).await;

    // A stored definition this version cannot read is shown broken and skipped, never a 500.
    let broken =
        add_rule(app, w.acme, json!({"name": "Future", "conditions": [], "actions": [set_priority("low")]})).await;
    orgdesk_server::db::query("UPDATE routing_rules SET definition = $1 WHERE id = $2")
        .bind(r#"{"format": 99, "conditions": [], "actions": [{"kind": "teleport"}]}"#)
        .bind(broken.id)
        .execute(&app.db)
        .await
        .unwrap();
    let s = section(app, w.acme).await;
    let shown = s.own.iter().find(|r| r.id == broken.id).unwrap();
    assert!(shown.references[0].broken.as_deref().unwrap().contains("format 99"), "{shown:?}");
    let item = w.ticket("Again").await;
    assert_eq!(item.priority, Priority::High, "the unreadable rule did not set Low");
    assert!(history(app, item.id).await.iter().any(|l| l.starts_with("Routing rule 'Future' was skipped:")));
    // It can still be renamed or switched off, and replaced whole.
    let path = format!("/api/organizations/{}/routing-rules/{}", w.acme, broken.id);
    let off = ok_json(app.patch(&path, json!({"version": 1, "enabled": false})).await).await;
    assert_eq!(off["enabled"], false);
    let fixed =
        ok_json(app.patch(&path, json!({"version": 2, "conditions": [], "actions": [set_priority("low")]})).await)
            .await;
    assert_eq!(fixed["references"], json!([]));
}

#[tokio::test]
async fn the_dry_run_exposure_and_history_read_what_the_editor_needs() {
    let w = world().await;
    let app = &w.app;
    let mut ids = Vec::new();
    for (i, status) in [ItemStatus::New, ItemStatus::Open, ItemStatus::Waiting, ItemStatus::New].into_iter().enumerate()
    {
        ids.push(app.create_ticket(w.support, w.ann, &format!("T{i}"), status).await.id);
    }
    let long = "x".repeat(3000);
    let last = app
        .create_item(json!({"project_id": w.support, "item_type": "ticket", "title": "Long", "description": long, "requester_id": w.ann}))
        .await
        .id;
    ids.push(last);
    let data = ok_json(app.get(&format!("/api/organizations/{}/routing-rules/dry-run", w.acme)).await).await;
    let items = data["items"].as_array().unwrap();
    let got: Vec<i64> = items.iter().map(|i| i["item_id"].as_i64().unwrap()).collect();
    assert_eq!(got, ids.iter().rev().copied().collect::<Vec<_>>(), "newest first, every status");
    assert_eq!(items[0]["description"].as_str().unwrap().len(), 2000);
    assert_eq!(items[0]["customer_first_name"], "Ann");
    assert_eq!(items[0]["organization_name"], "Acme");
    assert_eq!(items[0]["source"], "agent");
    error_body(app.get("/api/organizations/999/routing-rules/dry-run").await, StatusCode::NOT_FOUND, "not_found").await;

    // Exposure: who outside Acme (and its children) follows the project.
    let kid = app.create_org("Acme Kids", &["kids.acme.com"]).await.id;
    let detail = ok_json(app.get(&format!("/api/organizations/{}/detail", w.acme)).await).await;
    ok_json(
        app.post(
            &format!("/api/organizations/{}/children", w.acme),
            json!({"version": detail["version"], "child_id": kid}),
        )
        .await,
    )
    .await;
    let globex = app.create_org("Globex", &["globex.com"]).await.id;
    let gus = app.create_customer("gus@globex.com").await.id;
    let kim = app.create_customer("kim@kids.acme.com").await.id;
    let shared = format!("/api/projects/{}/followers", w.tasks);
    for body in [
        json!({"customer_id": w.ann}),
        json!({"customer_id": gus}),
        json!({"customer_id": kim}),
        json!({"organization_id": globex}),
        json!({"organization_id": kid}),
    ] {
        ok_json(app.post(&shared, body).await).await;
    }
    let exposure =
        ok_json(app.get(&format!("/api/organizations/{}/routing-rules/exposure?project_id={}", w.acme, w.tasks)).await)
            .await;
    assert_eq!(
        exposure,
        json!({"project_id": w.tasks, "outside_customers": 1, "outside_organizations": ["Globex"], "outside_organization_count": 1})
    );
    let res = app.get(&format!("/api/organizations/{}/routing-rules/exposure?project_id=999", w.acme)).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["project_id"].is_string());
    let res = app.get(&format!("/api/organizations/{}/routing-rules/exposure", w.acme)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a query without the project");

    assert_eq!(ok_json(app.get(&format!("/api/items/{last}/history")).await).await, json!([]));
    error_body(app.get("/api/items/999/history").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn customers_get_nothing_and_concurrent_changes_get_one_409() {
    let w = world().await;
    let app = &w.app;
    let rule = add_rule(app, w.acme, json!({"name": "R", "conditions": [], "actions": [set_priority("high")]})).await;
    let item = w.ticket("T").await;

    let ann = app.portal_client(w.ann, true).await;
    for path in [
        format!("/api/organizations/{}/routing-rules", w.acme),
        format!("/api/organizations/{}/routing-rules/dry-run", w.acme),
        "/api/routing-rules".to_string(),
        format!("/api/items/{}/history", item.id),
    ] {
        assert_eq!(ann.get(&path).await.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let res = ann
        .post(
            &format!("/api/organizations/{}/routing-rules", w.acme),
            json!({"name": "X", "conditions": [], "actions": []}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Two agents save the same version at once: one wins, the other is told to reload.
    let (agent, _) = app.signed_in_agent("agent@example.com").await;
    let path = format!("/api/organizations/{}/routing-rules/{}", w.acme, rule.id);
    let (a, b) = tokio::join!(
        app.patch(&path, json!({"version": 1, "name": "Mine"})),
        agent.patch(&path, json!({"version": 1, "name": "Theirs"})),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(section(app, w.acme).await.own[0].version, 2);
}
