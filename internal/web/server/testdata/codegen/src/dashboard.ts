// A small dashboard client: the queries a dashboard sends first, typed by
// GraphQL Code Generator from the live schema (src/gql/, not committed) and
// sent with graphql-request. tsc checks it under "strict": every connection
// is read with no optional chaining (edges and node are non-null) and every
// scalar is used as the string it is (none is `unknown`). Run against a
// server, it prints one JSON line per query for TestGeneratedTypeScriptClient.
import { GraphQLClient } from 'graphql-request';
import { graphql } from './gql/index.js';

const Communities = graphql(`
  query DashboardCommunities($code: String!) {
    communities(where: { code: $code }) {
      totalCount
      pageInfo { endCursor hasNextPage }
      edges {
        cursor
        node {
          id
          name
          district
          establishedOn
          assets(first: 3, orderBy: { field: NAME }) {
            totalCount
            edges { node { name category } }
          }
        }
      }
    }
  }
`);

const Month = graphql(`
  query DashboardMonth($community: ID!, $period: Period!) {
    ledgerTotals(communityID: $community, period: $period) {
      period
      from
      to
      income
      expense
      net
      categories { direction category amount amountInCapitals vouchers }
    }
  }
`);

const District = graphql(`
  query DashboardDistrict($district: String!, $period: Period!, $from: Period!, $to: Period!) {
    districtTotals(district: $district, period: $period) {
      community { id name code }
      income
      expense
    }
    monthlySeries(district: $district, from: $from, to: $to) {
      period
      income
      expense
      net
    }
  }
`);

const Vouchers = graphql(`
  query DashboardVouchers($community: ID!) {
    vouchers(first: 2, where: { hasCommunityWith: { id: $community }, postedAtNotNil: true }, orderBy: { field: OCCURRED_ON }) {
      edges { cursor node { number occurredOn period amount postedAt } }
    }
  }
`);

// Money stays a string: a dashboard sums fen, never floats.
function fen(money: string): bigint {
  const [whole, frac = ''] = money.replace('-', '').split('.');
  const f = BigInt(whole || '0') * 100n + BigInt((frac + '00').slice(0, 2));
  return money.startsWith('-') ? -f : f;
}

const url = process.argv[2];
if (!url) {
  console.error('usage: node dist/dashboard.js URL');
  process.exit(2);
}
const client = new GraphQLClient(url);

const communities = await client.request(Communities, { code: 'gezishi' });
const gezishi = communities.communities.edges[0].node;
// A field the viewer may not read is null with its own FORBIDDEN error, so
// the type says assets may be null; this viewer may read them.
const assets = gezishi.assets;
if (!assets) {
  throw new Error('assets refused: ' + JSON.stringify(communities));
}
const assetNames: string[] = assets.edges.map((e) => e.node.name);
const endCursor: string | null | undefined = communities.communities.pageInfo.endCursor;
const established: string | null | undefined = gezishi.establishedOn;
console.log(JSON.stringify({ query: 'communities', name: gezishi.name, district: gezishi.district, assets: assets.totalCount, assetNames, hasCursor: typeof endCursor === 'string', established }));

const month = await client.request(Month, { community: gezishi.id, period: '2026-10' });
const totals = month.ledgerTotals;
const sum = totals.categories.filter((c) => c.direction === 'EXPENSE').reduce((s, c) => s + fen(c.amount), 0n);
const office = totals.categories.find((c) => c.category === '办公经费');
console.log(JSON.stringify({ query: 'month', period: totals.period, from: totals.from, to: totals.to, expense: totals.expense, expenseFen: fen(totals.expense).toString(), categoriesFen: sum.toString(), office: office ? [office.amount, office.amountInCapitals] : null }));

const district = await client.request(District, { district: gezishi.district, period: '2026-10', from: '2025-11', to: '2026-10' });
const names: string[] = district.districtTotals.map((t) => t.community.name);
const periods: string[] = district.monthlySeries.map((m) => m.period);
console.log(JSON.stringify({ query: 'district', communities: names.length, months: periods.length, first: periods[0], last: periods[periods.length - 1] }));

const vouchers = await client.request(Vouchers, { community: gezishi.id });
const first = vouchers.vouchers.edges[0].node;
const postedAt: string | null | undefined = first.postedAt;
console.log(JSON.stringify({ query: 'vouchers', count: vouchers.vouchers.edges.length, number: first.number, occurredOn: first.occurredOn, amount: first.amount, postedAt, postedAtIsTime: typeof postedAt === 'string' && !Number.isNaN(Date.parse(postedAt)) }));
