/*
 * A ClickHouse server for the server-mode tests: the clickhouse-local inside
 * libchdb opens loopback HTTP/TCP listeners (SYSTEM START LISTEN) when started
 * through query_stable, and serves until its stdin closes.
 */
struct local_result;
struct local_result *query_stable(int argc, char **argv);
void free_result(struct local_result *result);

int main(int argc, char **argv) {
  struct local_result *r = query_stable(argc, argv);
  if (r) free_result(r);
  return r ? 0 : 1;
}
