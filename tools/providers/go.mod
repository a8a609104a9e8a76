// Builds the Terraform provider plugins the stacks use, for a filesystem
// mirror (scripts/providers.sh). Both upstreams still declare their old
// module paths, hence the replace directives; the docker provider's v3 tags
// are not valid versions for that path, so both are pinned by commit.
module smart-access/tools/providers

go 1.24

tool (
	github.com/terraform-providers/terraform-provider-docker
	github.com/terraform-providers/terraform-provider-postgresql
)

require (
	github.com/terraform-providers/terraform-provider-docker v0.0.0-00010101000000-000000000000
	github.com/terraform-providers/terraform-provider-postgresql v0.0.0-00010101000000-000000000000
)

// kreuzwerker/docker v3.6.2
replace github.com/terraform-providers/terraform-provider-docker => github.com/kreuzwerker/terraform-provider-docker 2f20f8c3ce8290fcd03d96e69c7bc6338897a479

// cyrilgdn/postgresql v1.26.0
replace github.com/terraform-providers/terraform-provider-postgresql => github.com/cyrilgdn/terraform-provider-postgresql 450ce85b50c1f47ebdb239c9d05e2f53847389ba
