package main

import (
	"example.com/pulumi-ldlinks/sdk/go/ldlinks"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		viewKey := cfg.Get("viewKey")
		if viewKey == "" {
			viewKey = "plugin-go"
		}
		flags := []string{"new-checkout", "pay-later"}
		_ = cfg.TryObject("flags", &flags)
		title := cfg.Get("ticketTitle")
		if title == "" {
			title = "CHK-1: new checkout"
		}

		view, err := ldlinks.NewView(ctx, "view", &ldlinks.ViewArgs{
			ProjectKey: pulumi.String("default"),
			Key:        pulumi.String(viewKey),
			Name:       pulumi.String("Plugin Go"),
			Tags:       pulumi.StringArray{pulumi.String("team-checkout")},
		})
		if err != nil {
			return err
		}
		members, err := ldlinks.NewViewMembership(ctx, "members", &ldlinks.ViewMembershipArgs{
			ProjectKey: pulumi.String("default"),
			ViewKey:    view.Key, // waits for the view; destroy empties it before deleting it
			Flags:      pulumi.ToStringArray(flags),
			Segments: ldlinks.SegmentRefArray{ldlinks.SegmentRefArgs{
				EnvironmentKey: pulumi.String("production"),
				SegmentKey:     pulumi.String("beta-users"),
			}},
		})
		if err != nil {
			return err
		}
		ticket, err := ldlinks.NewFlagLink(ctx, "ticket", &ldlinks.FlagLinkArgs{
			ProjectKey: pulumi.String("default"),
			FlagKey:    pulumi.String("new-checkout"),
			Key:        pulumi.String("ticket"),
			DeepLink:   pulumi.String("https://jira.example.com/browse/CHK-1"),
			Title:      pulumi.String(title),
		})
		if err != nil {
			return err
		}
		current := ldlinks.LookupViewOutput(ctx, ldlinks.LookupViewOutputArgs{
			ProjectKey: pulumi.String("default"),
			ViewKey:    pulumi.String("checkout"),
		})
		ctx.Export("viewId", view.ViewId)
		ctx.Export("flagCount", members.FlagCount)
		ctx.Export("linkId", ticket.LinkId)
		ctx.Export("checkoutFlags", current.Flags())
		return nil
	})
}
