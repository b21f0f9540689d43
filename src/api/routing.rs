//! Every API operation records its route pattern (`/api/v1/teachers/:id`) for the metrics, the request logs and
//! the panic layer (`obs::RouteSlot`): `Labelled` wraps the operations' endpoints as poem-openapi adds them to its
//! router, the only place where an operation and its path pattern meet.

use std::collections::HashMap;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::OpenApi;
use poem_openapi::registry::{MetaApi, Registry};

/// The operations of `T`, each labelled with `prefix` + its path.
pub struct Labelled<T> {
    pub api: T,
    pub prefix: &'static str,
}

impl<T: OpenApi> OpenApi for Labelled<T> {
    fn meta() -> Vec<MetaApi> {
        T::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        let mut operations = HashMap::new();
        self.api.add_routes(&mut operations);
        for (path, methods) in operations {
            let pattern: std::sync::Arc<str> = format!("{}{path}", self.prefix).into();
            let table = route_table.entry(path).or_default();
            for (method, endpoint) in methods {
                table.insert(method, crate::obs::routed(pattern.clone(), endpoint));
            }
        }
    }
}
