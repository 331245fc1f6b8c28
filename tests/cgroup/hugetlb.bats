#!/usr/bin/env bats
# hugetlb: hugepageLimits become hugetlb.<size>.max; an unknown size is a
# clear error.

load cgroup-helpers

setup() {
	setup_bundle
	requires_v2 hugetlb
	[[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ]] || skip "no 2MB huge pages"
}

@test "hugetlb: 2MB limit -> hugetlb.2MB.max, updated; a size the kernel lacks is refused" {
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	start_detached sleep 1000
	[ "$(cg_read hugetlb.2MB.max)" = 4194304 ]
	run vessel update --resources - "$CID" <<<'{"hugepageLimits": [{"pageSize": "2MB", "limit": 8388608}]}'
	assert_success
	[ "$(cg_read hugetlb.2MB.max)" = 8388608 ]
	run vessel update --resources - "$CID" <<<'{"hugepageLimits": [{"pageSize": "3MB", "limit": 4194304}]}'
	assert_failure
	assert_output --partial "hugepageLimits"
	assert_output --partial "3MB"
	[ "$(cg_read hugetlb.2MB.max)" = 8388608 ]
}
