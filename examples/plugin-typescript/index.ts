import * as pulumi from "@pulumi/pulumi";
import * as ldlinks from "@pulumi/ldlinks";

const config = new pulumi.Config();
const viewKey = config.get("viewKey") ?? "plugin-typescript";
const flags = config.getObject<string[]>("flags") ?? ["new-checkout", "pay-later"];

const view = new ldlinks.View("view", {
    projectKey: "default",
    key: viewKey,
    name: "Plugin TypeScript",
    tags: ["team-checkout"],
});

const members = new ldlinks.ViewMembership("members", {
    projectKey: "default",
    viewKey: view.key, // waits for the view; destroy empties the view before deleting it
    flags,
    segments: [{ environmentKey: "production", segmentKey: "beta-users" }],
});

const ticket = new ldlinks.FlagLink("ticket", {
    projectKey: "default",
    flagKey: "new-checkout",
    key: "ticket",
    deepLink: "https://jira.example.com/browse/CHK-1",
    title: config.get("ticketTitle") ?? "CHK-1: new checkout",
});

export const viewId = view.viewId;
export const flagCount = members.flagCount;
export const linkId = ticket.linkId;
export const checkoutFlags = ldlinks.getViewOutput({ projectKey: "default", viewKey: "checkout" }).flags;
