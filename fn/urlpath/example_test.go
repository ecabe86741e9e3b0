package urlpath_test

import (
	"fmt"

	"github.com/apirule-krm/apirule-fn/fn/urlpath"
)

func ExampleVirtualServiceMatch() {
	fmt.Printf("%+v\n", urlpath.VirtualServiceMatch("/*"))
	fmt.Printf("%+v\n", urlpath.VirtualServiceMatch("/files/{**}"))
	// Output:
	// {Prefix:/ Regex:}
	// {Prefix: Regex:^/files/([A-Za-z0-9-._~!$&'()*+,;=:@/]|%[0-9a-fA-F]{2})*$}
}

func ExampleTemplate() {
	fmt.Println(urlpath.Template("/*"))
	fmt.Println(urlpath.Template("/users/{*}"))
	// Output:
	// /{**}
	// /users/{*}
}

func ExampleCheckOperators() {
	fmt.Println(urlpath.CheckOperators("/a/{**}/b/{**}"))
	fmt.Println(urlpath.CheckOperators("/{**}/{*}"))
	fmt.Println(urlpath.CheckOperators("/{*}/{**}/tail"))
	// Output:
	// Only one {**} operator is allowed in the path.
	// The {**} operator must be the last operator in the path.
	// <nil>
}

func ExampleFirstConflict() {
	c, found := urlpath.FirstConflict([]urlpath.Route{
		{Path: "/orders/{**}", Methods: []string{"GET"}},
		{Path: "/orders/open", Methods: []string{"GET"}},
	})
	fmt.Println(found, c.Path, c.Method)
	_, found = urlpath.FirstConflict([]urlpath.Route{
		{Path: "/orders/open", Methods: []string{"GET"}},
		{Path: "/orders/{**}", Methods: []string{"GET"}},
	})
	fmt.Println(found)
	// Output:
	// true /orders/open GET
	// false
}

func ExampleNotPaths() {
	routes := []urlpath.Route{
		{Path: "/admin", Methods: []string{"GET"}},
		{Path: "/*", Methods: []string{"GET", "POST"}},
		{Path: "/upload", Methods: []string{"POST"}},
	}
	fmt.Println(urlpath.NotPaths(routes, 1))
	// Output:
	// [/admin /upload]
}
