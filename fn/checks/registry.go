package checks

// All is every check, in ID order. Registering a check is adding it here (see the
// package doc); TestRegistry checks the order, the IDs and the README table.
var All = []*Check{
	crossNamespaceService,
	mergedKeySets,
	openedByOther,
	namespaceWidePolicy,
	wildcardHost,
	caseOnlyHost,
	matchURLHosts,
	openedByOwnPolicy,
	replacedPolicy,
	oathkeeperShadowed,
	templatePolicy,
	unroutedRule,
	slashStar,
	regexPolicyPath,
	ignoredMutators,
	noOathkeeperRule,
	normalisedPath,
	serverSideURL,
	jwksOverHTTP,
	jwksIPAddress,
	noAudience,
	tokenInQuery,
	corsAnyOrigin,
	mutatorTemplate,
	credentialHeader,
}
