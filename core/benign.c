/**
 * \file
 * The embedded default allow list (fluxguard/benign.h). Every entry is the
 * infrastructure domain an operator's CNAME points at, never a customer's own
 * name: these are the zones where one answer after another lands in a
 * different prefix, ASN or country by design. Keep it short and keep it to
 * operators that control every name below the entry: an entry for a zone where
 * anyone can register names (a dynamic-DNS provider, a free hosting suffix)
 * would allow flux itself. doc/BENIGN.md lists the reasons per group.
 */
#include "fluxguard/benign.h"
#include "fluxguard/policy.h"

#include <stddef.h>

const char* const fg_benign_default[] = {
	/* Akamai: edge hosts, GTM, and the legacy edge-suite names */
	"akamai.net",
	"akamaiedge.net",
	"akamaihd.net",
	"akamaized.net",
	"akadns.net",
	"edgekey.net",
	"edgesuite.net",
	/* Amazon: CloudFront, ELB and every other *.amazonaws.com endpoint,
	 * Global Accelerator */
	"cloudfront.net",
	"amazonaws.com",
	"awsglobalaccelerator.com",
	/* Fastly */
	"fastly.net",
	"fastlylb.net",
	/* Cloudflare: the CNAME targets of partial (CNAME) setups */
	"cloudflare.net",
	/* Microsoft Azure: Front Door and CDN, Traffic Manager, edge */
	"azureedge.net",
	"azurefd.net",
	"trafficmanager.net",
	"msedge.net",
	/* Google: user content and hosted frontends, the 1e100 reverse zone */
	"googleusercontent.com",
	"googlehosted.com",
	"1e100.net",
	/* Edgio (Edgecast, Limelight) */
	"edgecastcdn.net",
	"llnwd.net",
	"llnwi.net",
	/* other large CDNs */
	"cdn77.org",
	"footprint.net",
	"hwcdn.net",
	"stackpathdns.com",
	"b-cdn.net",
	"kxcdn.com",
	"incapdns.net",
	"impervadns.net",
	/* Apple's edge */
	"aaplimg.com",
	"apple-dns.net",
	/* the NTP pool: volunteer servers in thousands of networks, the classic
	 * false positive of address-count detectors */
	"pool.ntp.org",
	NULL
};

int
fg_benign_add_to_policy(struct fg_policy* p, char* err, size_t errlen)
{
	size_t i;
	for(i = 0; fg_benign_default[i]; i++)
		if(!fg_policy_add(p, FG_LIST_ALLOW, fg_benign_default[i], err,
			errlen))
			return 0;
	return 1;
}
