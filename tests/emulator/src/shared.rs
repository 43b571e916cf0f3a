//! The state one running emulator shares between its connections and its `Emulator` handle.

use crate::api_error::ApiError;
use crate::config::Config;
use crate::faults::FaultQueue;
use crate::graphql;
use crate::http::Body;
use crate::ids;
use crate::log::RequestLog;
use crate::state::{seed_movies, Data, Movies};
use parking_lot::Mutex;
use std::sync::Arc;

pub struct Shared {
    pub cfg: Config,
    /// `http://host:port` of this emulator.
    pub origin: String,
    pub secret: Vec<u8>,
    pub admin_secret: Vec<u8>,
    pub data: Mutex<Data>,
    pub movies: Movies,
    pub log: Mutex<RequestLog>,
    pub faults: Mutex<FaultQueue>,
    /// Built once: building a schema costs far more than executing a query.
    pub schema: async_graphql::dynamic::Schema,
}

impl Shared {
    pub fn new(cfg: Config, origin: String) -> Shared {
        let secret = non_empty_or_random(&cfg.signing_secret);
        let admin_secret = non_empty_or_random(&cfg.admin_signing_secret);
        let movies: Movies = Arc::new(Mutex::new(seed_movies(&cfg)));
        let schema = graphql::build_schema(movies.clone());
        Shared {
            data: Mutex::new(Data::from_config(&cfg)),
            movies,
            log: Mutex::new(RequestLog::default()),
            faults: Mutex::new(FaultQueue::default()),
            schema,
            secret,
            admin_secret,
            origin,
            cfg,
        }
    }

    /// Back to the config: users, sessions, settings, clock, movies, log and faults.
    pub fn reset(&self) {
        *self.data.lock() = Data::from_config(&self.cfg);
        *self.movies.lock() = seed_movies(&self.cfg);
        self.log.lock().clear();
        self.faults.lock().clear();
    }

    pub fn error(&self, e: ApiError) -> hyper::Response<Body> {
        e.into_response(&self.origin, &self.cfg.group_id, &self.cfg.app_id)
    }
}

fn non_empty_or_random(s: &str) -> Vec<u8> {
    if s.is_empty() {
        ids::random_hex(32).into_bytes()
    } else {
        s.as_bytes().to_vec()
    }
}
